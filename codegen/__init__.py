"""ansible-codegen: plain English in, validated Ansible tasks and playbooks out, offline."""
import os

# ansible prints deprecation chatter for installed collections on import; users did not ask for it.
os.environ.setdefault("ANSIBLE_DEPRECATION_WARNINGS", "False")
os.environ.setdefault("ANSIBLE_LOCALHOST_WARNING", "False")
os.environ.setdefault("ANSIBLE_INVENTORY_UNPARSED_WARNING", "False")

# Busy-waiting OpenMP threads collapse decoding when another process shares the cores
# (measured: 2 threads fell to 0.5-5 tok/s); passive waiting holds up. Must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
