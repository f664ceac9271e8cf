"""``ag18 serve`` as a command: its help in the user's language, what it says without the server
extra, and that the core never loads the web framework."""
from __future__ import annotations

import subprocess
import sys

from serving import ag18


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_help_is_vietnamese_by_default_and_english_on_request():
    vi = ag18("serve", "--help").stdout.decode()
    assert "máy chủ HTTP" in vi and "--workers" in vi and "--store" in vi and "127.0.0.1" in vi
    en = ag18("serve", "--help", "--lang", "en").stdout.decode()
    assert "HTTP server" in en and "idle sessions are removed" in en


def test_without_the_server_extra_it_says_how_to_install_it():
    code = ("import sys; sys.modules['fastapi'] = None; sys.modules['uvicorn'] = None\n"
            "from ag18_rules.cli import main; sys.exit(main(['serve'] + sys.argv[1:]))")
    vi = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert vi.returncode == 2
    assert "pip install 'ag18-rules[server]'" in vi.stderr and "gói bổ sung" in vi.stderr
    assert "Traceback" not in vi.stderr
    en = subprocess.run([sys.executable, "-c", code, "--lang", "en"], capture_output=True, text=True)
    assert "The server needs the 'server' extra" in en.stderr


def test_create_app_without_the_extra_raises_the_library_error():
    r = _python("import sys; sys.modules['fastapi'] = None\n"
                "from ag18_rules.server import create_app, ServerUnavailable\n"
                "try:\n    create_app()\nexcept ServerUnavailable as e:\n    print('refused:', e)")
    assert "refused: Máy chủ cần gói bổ sung 'server'" in r.stdout, r.stderr


def test_importing_the_library_or_the_server_package_loads_no_web_framework():
    r = _python("import sys, ag18_rules, ag18_rules.server\n"
                "print(sorted(m for m in ('fastapi', 'starlette', 'uvicorn', 'pydantic') if m in sys.modules))")
    assert r.stdout.strip() == "[]", r.stderr


def test_a_port_in_use_is_a_clear_message_and_exit_2(tmp_path):
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        r = ag18("serve", "--port", str(port), "--store", str(tmp_path / "s.sqlite3"))
    assert r.returncode == 2
    assert f"Không mở được địa chỉ 127.0.0.1:{port}" in r.stderr.decode() and b"Traceback" not in r.stderr
