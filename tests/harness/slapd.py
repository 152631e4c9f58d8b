"""A real LDAP directory (Debian's slapd) on a free loopback port, with people and groups the
test loads: the directory that LDAP sign-in reads."""

import shutil
import signal
import subprocess
import time
from pathlib import Path

import ldap
from ldap import modlist

from tests.harness.registry import free_port

SUFFIX = "dc=dockboard,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")


class Directory:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.root_password = "directory-root-secret"
        self.process: subprocess.Popen | None = None

    def _configuration(self) -> Path:
        data = self.folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        lines = [f"include /etc/ldap/schema/{name}.schema" for name in SCHEMAS]
        lines += [
            "modulepath /usr/lib/ldap",
            "moduleload back_mdb",
            f"pidfile {self.folder / 'slapd.pid'}",
            "database mdb",
            "maxsize 104857600",
            f'suffix "{SUFFIX}"',
            f'rootdn "{ROOT_DN}"',
            f"rootpw {self.root_password}",
            f"directory {data}",
            "access to attrs=userPassword by anonymous auth by * none",
            "access to * by users read by * none",
        ]
        configuration = self.folder / "slapd.conf"
        configuration.write_text("\n".join(lines) + "\n")
        return configuration

    def __enter__(self) -> "Directory":
        binary = shutil.which("slapd") or "/usr/sbin/slapd"
        self.process = subprocess.Popen(
            [binary, "-d", "0", "-f", str(self._configuration()), "-h", f"{self.uri}/"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                self._admin().unbind_s()
                break
            except ldap.SERVER_DOWN:
                assert self.process.poll() is None, "slapd exited at start"
                assert time.monotonic() < deadline, "slapd did not listen"
                time.sleep(0.05)
        self._add(SUFFIX, {"objectClass": ["dcObject", "organization"], "dc": ["dockboard"],
                           "o": ["Dockboard tests"]})  # fmt: skip
        for unit in (PEOPLE, GROUPS):
            self._add(unit, {"objectClass": ["organizationalUnit"], "ou": [unit[3:].split(",")[0]]})
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=15)

    def _admin(self) -> "ldap.ldapobject.LDAPObject":
        connection = ldap.initialize(self.uri)
        connection.simple_bind_s(ROOT_DN, self.root_password)
        return connection

    def _add(self, dn: str, attributes: dict[str, list[str]]) -> None:
        connection = self._admin()
        try:
            encoded = {k: [v.encode() for v in values] for k, values in attributes.items()}
            connection.add_s(dn, modlist.addModlist(encoded))
        finally:
            connection.unbind_s()

    def add_person(self, uid: str, password: str, mail: str = "") -> str:
        dn = f"uid={uid},{PEOPLE}"
        self._add(dn, {
            "objectClass": ["inetOrgPerson"], "uid": [uid], "cn": [uid], "sn": [uid],
            "mail": [mail or f"{uid}@dockboard.test"], "userPassword": [password],
        })  # fmt: skip
        return dn

    def set_group(self, name: str, members: list[str]) -> None:
        """The group ``name`` with exactly these people (uids) in it; made if missing."""
        dn = f"cn={name},{GROUPS}"
        # groupOfNames needs one member at least: an empty group holds the root entry alone.
        member_dns = [f"uid={uid},{PEOPLE}".encode() for uid in members] or [SUFFIX.encode()]
        connection = self._admin()
        try:
            try:
                connection.modify_s(dn, [(ldap.MOD_REPLACE, "member", member_dns)])
            except ldap.NO_SUCH_OBJECT:
                connection.add_s(dn, modlist.addModlist({
                    "objectClass": [b"groupOfNames"], "cn": [name.encode()], "member": member_dns
                }))  # fmt: skip
        finally:
            connection.unbind_s()

    def settings(self) -> dict[str, str]:
        """Dockboard's settings for this directory (as ``override_settings`` takes them)."""
        return {
            "DOCKBOARD_LDAP_URI": self.uri,
            "DOCKBOARD_LDAP_BIND_DN": ROOT_DN,
            "DOCKBOARD_LDAP_BIND_PASSWORD": self.root_password,
            "DOCKBOARD_LDAP_USER_SEARCH": f"{PEOPLE}?(uid=%(user)s)",
            "DOCKBOARD_LDAP_GROUP_SEARCH": f"{GROUPS}?(objectClass=groupOfNames)",
        }
