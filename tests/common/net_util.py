"""Network helpers shared by the Python tests (cluster e2e, docs, sweep).

Tests bind and talk to 127.0.0.1 only. Import with
    sys.path.insert(0, os.path.join(HERE, '..', 'common'))
"""
import socket


def free_port():
    """A TCP port on 127.0.0.1 free at the time of the call (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
