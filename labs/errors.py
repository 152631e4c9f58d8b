from dashboard.engine.errors import BadParameter


class LabError(BadParameter):
    """A request about a lab the user can fix; ``message`` says how."""
