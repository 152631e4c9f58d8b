"""What marks this test run's engine objects: every one the tests make carries
``LABEL_KEY=RUN_ID`` (not a ``dockboard.*`` label: those are Dockboard's alone), and is removed
by it at the end."""

import uuid

RUN_ID = uuid.uuid4().hex[:10]
LABEL_KEY = "dockboard-test"
TEST_LABEL = f"{LABEL_KEY}={RUN_ID}"
