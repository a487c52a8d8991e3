"""A real Dovecot IMAP server on 127.0.0.1 for the IMAP tests, and a proxy that cuts connections.

``dovecot`` starts a fresh server for one test: its own configuration, base_dir, log and maildir
under pytest's temporary directories, nothing read from /etc/dovecot. It listens on two free
ports: ``port`` speaks plain IMAP, offers STARTTLS and accepts LOGIN without TLS; ``tls_port``
speaks implicit TLS (IMAPS). The certificate is signed by a throw-away CA whose certificate is
``ca_file``. ``dovecot_plain`` is the same server with ``ssl = no``: no STARTTLS, no IMAPS port.

conftest.py registers this module as a plugin, so tests name the fixtures as arguments.

When run as root, mail processes run as ``nobody`` chrooted into the mail directory (Dovecot
refuses mail access as root); otherwise every process runs as the current user.
"""

from __future__ import annotations

import contextlib
import ctypes
import grp
import imaplib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DOVECOT_MISSING = "dovecot is not installed (Debian package dovecot-imapd)"
HOST = "127.0.0.1"
USER = "reader"
PASSWORD = "briefing-secret"
GREETING = "Dovecot ready."
START_TIMEOUT = 10.0
STOP_GRACE = 0.1
# Unix socket paths are limited to 108 bytes; Dovecot puts sockets up to ~30 bytes deep.
MAX_BASE_DIR = 70


def dovecot_binary() -> str | None:
    found = shutil.which("dovecot")
    if found:
        return found
    if os.access("/usr/sbin/dovecot", os.X_OK):
        return "/usr/sbin/dovecot"
    return None


def require_dovecot() -> str:
    binary = dovecot_binary()
    if binary is None:
        pytest.skip(DOVECOT_MISSING)
    return binary


# -- certificates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TLSFiles:
    ca_file: Path  # trust this to verify the server
    cert: Path
    key: Path


def make_tls_files(directory: Path) -> TLSFiles:
    """A CA and a server certificate for 127.0.0.1 and localhost, signed by it (EC P-256)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca_key, ca_file = directory / "ca.key", directory / "ca.pem"
    key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.pem"
    extensions = directory / "server.ext"
    extensions.write_text(
        "basicConstraints = critical, CA:FALSE\n"
        "keyUsage = critical, digitalSignature\n"
        "extendedKeyUsage = serverAuth\n"
        "subjectAltName = IP:127.0.0.1, DNS:localhost\n"
        "subjectKeyIdentifier = hash\n"
        "authorityKeyIdentifier = keyid\n"
    )
    commands = [
        [openssl, "req", "-x509", *ec, "-days", "3", "-subj", "/CN=briefing-tui test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign",
         "-keyout", ca_key, "-out", ca_file],
        [openssl, "req", "-new", *ec, "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", csr],
        [openssl, "x509", "-req", "-in", csr, "-CA", ca_file, "-CAkey", ca_key,
         "-set_serial", f"0x{secrets.token_hex(8)}", "-days", "2", "-extfile", extensions,
         "-out", cert],
    ]  # fmt: skip
    for command in commands:
        done = subprocess.run([str(part) for part in command], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, command[:3]))} failed:\n{done.stderr}")
    return TLSFiles(ca_file=ca_file, cert=cert, key=key)


_TLS_FILES: dict[Path, TLSFiles] = {}


def session_tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    """One set of certificates per test process, made on first use."""
    base = tmp_path_factory.getbasetemp()
    if base not in _TLS_FILES:
        _TLS_FILES[base] = make_tls_files(tmp_path_factory.mktemp("dovecot-tls"))
    return _TLS_FILES[base]


# -- the server --------------------------------------------------------------------------------


def quote(name: str) -> str:
    """An IMAP quoted string (imaplib sends mailbox names as they are)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response: tuple[str, list], what: str) -> list:
    typ, data = response
    if typ != "OK":
        raise RuntimeError(f"IMAP {what} failed: {typ} {data!r}")
    return data


@dataclass
class Dovecot:
    host: str
    port: int  # plain IMAP; STARTTLS offered when starttls is true
    tls_port: int | None  # implicit TLS; None without TLS
    ca_file: Path | None  # None without TLS
    user: str
    password: str
    maildir: Path
    log: Path
    config: Path
    starttls: bool
    _process: subprocess.Popen | None = field(default=None, repr=False)
    _cleanup: list[Path] = field(default_factory=list, repr=False)

    @contextlib.contextmanager
    def connect(self) -> Iterator[imaplib.IMAP4]:
        """A logged-in imaplib connection on the plain port."""
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            _check(imap.login(self.user, self.password), "LOGIN")
            yield imap
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                imap.logout()

    def create(self, folder: str) -> None:
        with self.connect() as imap:
            _check(imap.create(quote(folder)), f"CREATE {folder}")

    def append(self, folder: str, message: bytes, flags: str = "") -> int:
        """Add a message (creating the folder if needed); returns its UID."""
        with self.connect() as imap:
            if folder.upper() != "INBOX":
                typ, data = imap.create(quote(folder))
                if typ != "OK" and b"[ALREADYEXISTS]" not in b" ".join(data):
                    raise RuntimeError(f"IMAP CREATE {folder} failed: {typ} {data!r}")
            _check(imap.append(quote(folder), f"({flags})" if flags else None, None, message), "APPEND")
            appenduid = imap.untagged_responses.get("APPENDUID") or [b""]
            # imaplib keeps the APPENDUID response code as "<uidvalidity> <uid>"
            return int(appenduid[-1].split()[-1])

    def flags(self, folder: str) -> dict[int, set[str]]:
        """{uid: flags} for every message in the folder, read without changing anything.

        The session flag \\Recent is left out.
        """
        with self.connect() as imap:
            data = _check(imap.select(quote(folder), readonly=True), f"EXAMINE {folder}")
            if int(data[0]) == 0:
                return {}
            result: dict[int, set[str]] = {}
            for item in _check(imap.uid("FETCH", "1:*", "(FLAGS)"), "UID FETCH"):
                text = (item[0] if isinstance(item, tuple) else item).decode()
                uid = re.search(r"UID (\d+)", text)
                flags = re.search(r"FLAGS \(([^)]*)\)", text)
                if uid and flags:
                    result[int(uid.group(1))] = set(flags.group(1).split()) - {"\\Recent"}
            return result

    def uidvalidity(self, folder: str) -> int:
        with self.connect() as imap:
            data = _check(imap.status(quote(folder), "(UIDVALIDITY)"), f"STATUS {folder}")
            return int(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1))

    def delete_folder(self, folder: str) -> None:
        with self.connect() as imap:
            _check(imap.delete(quote(folder)), f"DELETE {folder}")

    def recreate_folder(self, folder: str) -> int:
        """Delete and create the folder again, empty; returns its new UIDVALIDITY."""
        self.delete_folder(folder)
        self.create(folder)
        return self.uidvalidity(folder)

    def expunge(self, folder: str, uid: int) -> None:
        """Remove one message for good, as another mail client would."""
        with self.connect() as imap:
            _check(imap.select(quote(folder)), f"SELECT {folder}")
            _check(imap.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)"), "UID STORE")
            _check(imap.expunge(), "EXPUNGE")

    def stop(self) -> None:
        """Stop the server (and every process it started); safe to call twice."""
        process, self._process = self._process, None
        if process is not None:
            _stop_process(process)
        for path in self._cleanup:
            shutil.rmtree(path, ignore_errors=True)
        self._cleanup.clear()


def _stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        # The master stops its children at once but then lingers for a second or more on its log
        # process; after a short grace period the whole process group is killed.
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_GRACE)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _reserve_port() -> int:
    """A free port that bind(0) elsewhere won't hand out for a while.

    The port is left in TIME_WAIT: other processes binding port 0 skip it, while Dovecot, which
    binds with SO_REUSEADDR, can take it.
    """
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((HOST, 0))
        server.listen(1)
        port = server.getsockname()[1]
        with socket.create_connection((HOST, port)) as client:
            accepted, _ = server.accept()
            accepted.close()
            client.recv(1)
    return port


def _accounts() -> dict[str, str | int]:
    """Who runs what: as root, mail goes to nobody in a chroot and logins to dovenull."""
    uid, gid = os.getuid(), os.getgid()
    me = pwd.getpwuid(uid).pw_name
    group = grp.getgrgid(gid).gr_name
    if uid != 0:
        return {"internal": me, "group": group, "login": me, "mail_uid": uid, "mail_gid": gid}
    try:
        login = pwd.getpwnam("dovenull").pw_name
    except KeyError:
        login = "nobody"
    try:
        nobody = pwd.getpwnam("nobody")
        mail_uid, mail_gid = nobody.pw_uid, nobody.pw_gid
    except KeyError:
        mail_uid = mail_gid = 65534
    return {"internal": me, "group": group, "login": login, "mail_uid": mail_uid, "mail_gid": mail_gid}


def _config(
    *, base_dir: Path, root: Path, mail_root: Path, port: int, tls_port: int | None, tls: TLSFiles | None
) -> str:
    accounts = _accounts()
    as_root = os.getuid() == 0
    home = f"/{USER}" if as_root else f"{mail_root}/{USER}"
    lines = [
        f"base_dir = {base_dir}",
        f"state_dir = {root / 'state'}",
        f"instance_name = dovecot-{root.name}",
        "protocols = imap",
        f"listen = {HOST}",
        f"log_path = {root / 'dovecot.log'}",
        'log_timestamp = "%H:%M:%S "',
        f"login_greeting = {GREETING}",
        f"default_internal_user = {accounts['internal']}",
        f"default_internal_group = {accounts['group']}",
        f"default_login_user = {accounts['login']}",
        "first_valid_uid = 1",
        "first_valid_gid = 0",
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        "auth_verbose = yes",
        "auth_failure_delay = 0",
        "mail_location = maildir:~/Maildir",
        "mail_fsync = never",
        "mail_max_userip_connections = 100",
        "namespace inbox {\n  inbox = yes\n  separator = /\n}",
        "passdb {\n  driver = passwd-file\n"
        f"  args = scheme=PLAIN username_format=%u {root / 'passwd'}\n}}",
        "userdb {\n  driver = static\n"
        f"  args = uid={accounts['mail_uid']} gid={accounts['mail_gid']} home={home}\n}}",
    ]
    login_service = [
        f"  inet_listener imap {{\n    address = {HOST}\n    port = {port}\n  }}",
        # port 0 turns off the built-in IMAPS listener
        f"  inet_listener imaps {{\n    address = {HOST}\n    port = {tls_port or 0}\n    ssl = yes\n  }}",
    ]
    if as_root:
        lines.append(f"mail_chroot = {mail_root}")
    else:
        # without root nothing can chroot or change user
        login_service.append("  chroot =")
        lines += [
            "service anvil {\n  chroot =\n}",
            "service stats {\n  chroot =\n}",
            "service auth-worker {\n  chroot =\n  user = $default_internal_user\n}",
        ]
    lines.append("service imap-login {\n" + "\n".join(login_service) + "\n}")
    if tls is None:
        lines.append("ssl = no")
    else:
        lines += ["ssl = yes", f"ssl_cert = <{tls.cert}", f"ssl_key = <{tls.key}"]
    return "\n".join(lines) + "\n"


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _greeting(port: int) -> bytes | None:
    try:
        with socket.create_connection((HOST, port), timeout=0.5) as sock:
            sock.settimeout(2)
            return sock.recv(4096)
    except OSError:
        return None


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the child before exec: if the test process dies, Dovecot gets SIGTERM."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_until_ready(process: subprocess.Popen, port: int, tls_port: int | None) -> bool:
    """True once the plain port greets (so logins work) and the TLS port accepts connections."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        greeting = _greeting(port)
        if greeting and GREETING.encode() in greeting and (tls_port is None or _accepts(tls_port)):
            # if another program held the port, Dovecot has exited by now
            return process.poll() is None
        time.sleep(0.02)
    return False


def start_dovecot(root: Path, tls: TLSFiles | None) -> Dovecot:
    """Start a server with everything under ``root``; call ``stop()`` on the result."""
    binary = require_dovecot()
    root.mkdir(parents=True, exist_ok=True)
    cleanup: list[Path] = []
    base_dir = root / "run"
    if len(str(base_dir)) > MAX_BASE_DIR or re.search(r"\s", str(root)):
        base_dir = Path(tempfile.mkdtemp(prefix="dovecot-"))
        cleanup.append(base_dir)
    base_dir.mkdir(exist_ok=True)
    (root / "state").mkdir(exist_ok=True)
    mail_root = root / "mail"
    (mail_root / USER).mkdir(parents=True, exist_ok=True)
    if os.getuid() == 0:
        accounts = _accounts()
        for path in (mail_root, mail_root / USER):
            os.chown(path, int(accounts["mail_uid"]), int(accounts["mail_gid"]))
            path.chmod(0o700)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    config, log, output = root / "dovecot.conf", root / "dovecot.log", root / "dovecot.out"

    for _attempt in range(3):
        port = _reserve_port()
        tls_port = _reserve_port() if tls is not None else None
        config.write_text(
            _config(base_dir=base_dir, root=root, mail_root=mail_root, port=port, tls_port=tls_port, tls=tls)
        )
        log.write_text("")
        with output.open("wb") as out:
            process = subprocess.Popen(
                [binary, "-F", "-c", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        try:
            if _wait_until_ready(process, port, tls_port):
                return Dovecot(
                    host=HOST,
                    port=port,
                    tls_port=tls_port,
                    ca_file=tls.ca_file if tls else None,
                    user=USER,
                    password=PASSWORD,
                    maildir=mail_root / USER / "Maildir",
                    log=log,
                    config=config,
                    starttls=tls is not None,
                    _process=process,
                    _cleanup=cleanup,
                )
        except BaseException:
            _stop_process(process)
            for path in cleanup:
                shutil.rmtree(path, ignore_errors=True)
            raise
        reason = "exited" if process.poll() is not None else f"did not answer within {START_TIMEOUT:.0f} s"
        _stop_process(process)
        details = f"{_tail(output, 10)}\n{_tail(log)}"
        if "Address already in use" not in details:
            break
    for path in cleanup:
        shutil.rmtree(path, ignore_errors=True)
    raise RuntimeError(f"dovecot {reason} (config {config}):\n{details}")


@contextlib.contextmanager
def running_dovecot(root: Path, tls: TLSFiles | None) -> Iterator[Dovecot]:
    server = start_dovecot(root, tls)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dovecot]:
    """A fresh server: plain IMAP with STARTTLS on ``port``, implicit TLS on ``tls_port``."""
    require_dovecot()
    tls = session_tls_files(tmp_path_factory)
    with running_dovecot(tmp_path_factory.mktemp("dovecot"), tls) as server:
        yield server


@pytest.fixture
def dovecot_plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dovecot]:
    """A fresh server without TLS: no STARTTLS capability, no IMAPS port."""
    with running_dovecot(tmp_path_factory.mktemp("dovecot"), None) as server:
        yield server


# -- a proxy that drops connections ------------------------------------------------------------


class CuttingProxy:
    """TCP proxy on 127.0.0.1 that closes both sides once ``cut_after`` bytes went to the client.

    Every connection gets the same budget; ``cut_after=None`` forwards everything. With
    ``reset=True`` the client sees a reset (RST) instead of an orderly close.
    """

    def __init__(
        self, target: tuple[str, int], cut_after: int | None, *, reset: bool = False, listen: str = HOST
    ) -> None:
        self.target = target
        self.cut_after = cut_after
        self.reset = reset
        self.host = listen
        self.connections = 0
        self.cuts = 0
        #: Bytes the server sent to clients through the proxy.
        self.to_client = 0
        self._listener = socket.create_server((listen, 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._start(self._accept_loop)

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self.connections += 1
                self._sockets.update((client, upstream))
            self._start(self._pump, upstream, client, self.cut_after, True)
            self._start(self._pump, client, upstream, None, False)

    def _pump(self, source: socket.socket, sink: socket.socket, budget: int | None, counted: bool) -> None:
        sent = 0
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if budget is not None and sent + len(data) >= budget:
                    sink.sendall(data[: budget - sent])
                    with self._lock:
                        self.cuts += 1
                    break
                sink.sendall(data)
                sent += len(data)
                if counted:
                    with self._lock:
                        self.to_client += len(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(sink)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        with contextlib.suppress(OSError):
            if self.reset:
                # closing with a zero linger time sends RST; SHUT_RD wakes a thread blocked in recv
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.shutdown(socket.SHUT_RD)
            else:
                sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            self._close(sock)
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> CuttingProxy:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
