"""The one home of what the project knows about Ansible files: how to read and load them safely."""
