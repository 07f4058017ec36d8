"""CoT over TLS to a loopback server that requires and checks a client certificate.

The certificates are made here: an authority, a server certificate for ``localhost``
and 127.0.0.1, a client certificate, and a second authority with a client of its own.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from flankwatch.io.cot_stream import CotSender
from flankwatch.io.tak import StreamReader

NOW = datetime.now(UTC)


@dataclass(frozen=True)
class Party:
    """A certificate and its key, as PEM files."""

    cert: Path
    key: Path


@dataclass(frozen=True)
class Pki:
    ca: Party
    server: Party
    client: Party
    other_ca: Party
    stranger: Party
    """A client certified by ``other_ca``, whom the server does not trust."""
    locked: Party
    """The client's certificate with its key encrypted (password ``atakatak``)."""


def _certify(
    folder: Path,
    name: str,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    *,
    server: bool = False,
    password: bytes | None = None,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey, Party]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(minutes=5))
        .not_valid_after(NOW + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is None:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    else:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
    if server:
        names = [x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1"))]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    return cert, key, Party(cert_path, key_path)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca_cert, ca_key, ca = _certify(folder, "test-ca", None)
    _, _, server = _certify(folder, "localhost", (ca_cert, ca_key), server=True)
    client_cert, client_key, client = _certify(folder, "flankwatch-client", (ca_cert, ca_key))
    locked_key = folder / "locked.key"
    locked_key.write_bytes(
        client_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"atakatak"),
        )
    )
    other_cert, other_key, other_ca = _certify(folder, "other-ca", None)
    _, _, stranger = _certify(folder, "stranger", (other_cert, other_key))
    return Pki(ca, server, client, other_ca, stranger, Party(client.cert, locked_key))


class TlsListener:
    """A TLS server on the loopback that requires a client certificate from ``pki.ca``.

    It keeps the bytes it is sent, the common names of the clients it accepted, and
    the number of handshakes it refused.
    """

    def __init__(self, pki: Pki, port: int = 0) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=pki.ca.cert)
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.load_cert_chain(pki.server.cert, pki.server.key)
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", port))
        self.server.listen()
        self.server.settimeout(0.1)
        self.port = self.server.getsockname()[1]
        self.data = bytearray()
        self.clients: list[str] = []
        self.refused = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                raw, _ = self.server.accept()
            except TimeoutError:
                continue
            raw.settimeout(2.0)
            try:
                conn = self.context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError):
                self.refused += 1
                raw.close()
                continue
            subject = dict(item[0] for item in conn.getpeercert()["subject"])
            self.clients.append(subject["commonName"])
            conn.settimeout(0.1)
            with conn:
                while not self.stop.is_set():
                    try:
                        chunk = conn.recv(65536)
                    except TimeoutError:
                        continue
                    except (ssl.SSLError, OSError):
                        break
                    if not chunk:
                        break
                    self.data += chunk

    def messages(self) -> list:
        """The TAK stream messages received (a frame still arriving is left out)."""
        return StreamReader().feed(bytes(self.data))

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[str]:
        """The uids of the messages received, once ``count`` have come or time is up."""
        deadline = time.monotonic() + timeout_s
        while len(self.messages()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return [message.cotEvent.uid for message in self.messages()]

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2.0)
        self.server.close()


def event(uid: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><event version="2.0" uid="{uid}" '
        'type="a-h-A-M-F-Q" how="m-f" time="2025-09-09T21:31:00.000Z" '
        'start="2025-09-09T21:31:00.000Z" stale="2025-09-09T21:31:30.000Z">'
        '<point lat="51.25" lon="23.5" hae="300.0" ce="50.0" le="20.0"/></event>'
    )


def url(port: int, party: Party | None, ca: Path, **extra: str) -> str:
    query = {"protocol": "tak", "ca": str(ca), **extra}
    if party is not None:
        query |= {"cert": str(party.cert), "key": str(party.key)}
    return f"tls://127.0.0.1:{port}?" + "&".join(f"{k}={v}" for k, v in query.items())


def wait_until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_events_reach_a_server_that_checks_the_client_certificate(pki: Pki) -> None:
    listener = TlsListener(pki)
    try:
        with CotSender(url(listener.port, pki.client, pki.ca.cert)) as sender:
            assert sender.send_many([event("a.1"), event("a.2"), event("a.3")]) == 3
            assert listener.wait_for(3) == ["a.1", "a.2", "a.3"]
            stats = sender.stats()
        assert listener.clients == ["flankwatch-client"] and listener.refused == 0
        assert stats.sent == 3 and stats.connects == 1 and stats.failures == 0
        point = listener.messages()[0].cotEvent
        assert (point.lat, point.lon, point.hae) == (51.25, 23.5, 300.0)
        assert point.type == "a-h-A-M-F-Q"
    finally:
        listener.close()


@pytest.mark.parametrize("who", ["nobody", "stranger"])
def test_a_client_without_a_trusted_certificate_is_refused(pki: Pki, who: str) -> None:
    listener = TlsListener(pki)
    party = None if who == "nobody" else pki.stranger
    sender = CotSender(
        url(listener.port, party, pki.ca.cert), backoff_initial_s=0.05, backoff_max_s=0.1
    )
    try:
        sender.start()
        sender.send(event("never"))
        wait_until(lambda: sender.stats().failures >= 2 and listener.refused >= 2)
        stats = sender.stats()
        assert listener.refused >= 2 and listener.data == b"" and listener.clients == []
        assert stats.failures >= 2 and stats.reconnects >= 1
    finally:
        sender.close(0.2)
        listener.close()


def test_a_server_the_client_does_not_trust_is_refused(pki: Pki) -> None:
    listener = TlsListener(pki)
    sender = CotSender(url(listener.port, pki.client, pki.other_ca.cert), backoff_initial_s=0.05)
    try:
        sender.start()
        sender.send(event("never"))
        wait_until(lambda: sender.stats().failures >= 1)
        stats = sender.stats()
        assert stats.failures >= 1 and stats.sent == 0 and stats.connects == 0
        assert "CERTIFICATE_VERIFY_FAILED" in stats.last_error
        assert listener.data == b""
    finally:
        sender.close(0.2)
        listener.close()


def test_the_server_name_is_checked(pki: Pki) -> None:
    listener = TlsListener(pki)
    wrong = CotSender(
        url(listener.port, pki.client, pki.ca.cert, server_name="tak.example.org"),
        backoff_initial_s=0.05,
    )
    try:
        wrong.start()
        wrong.send(event("never"))
        wait_until(lambda: wrong.stats().failures >= 1)
        assert "tak.example.org" in wrong.stats().last_error and wrong.stats().sent == 0
        wrong.close(0.2)
        with CotSender(
            url(listener.port, pki.client, pki.ca.cert, server_name="localhost")
        ) as right:
            right.send(event("named"))
            assert listener.wait_for(1) == ["named"]
    finally:
        wrong.close(0.2)
        listener.close()


def test_a_dropped_tls_connection_is_reconnected(pki: Pki) -> None:
    listener = TlsListener(pki)
    port = listener.port
    sender = CotSender(
        url(listener.port, pki.client, pki.ca.cert), backoff_initial_s=0.05, backoff_max_s=0.2
    )
    try:
        sender.start()
        sender.send(event("before"))
        assert listener.wait_for(1) == ["before"]
        listener.close()  # the server goes away
        wait_until(lambda: sender.stats().failures >= 1)
        assert sender.stats().failures >= 1 and not sender.stats().connected
        listener = TlsListener(pki, port)
        sender.send(event("after"))
        assert listener.wait_for(1) == ["after"]
        stats = sender.stats()
        assert stats.connects == 2 and stats.reconnects >= 1
    finally:
        sender.close(2.0)
        listener.close()


def test_xml_over_tls_is_the_default(pki: Pki) -> None:
    listener = TlsListener(pki)
    plain = url(listener.port, pki.client, pki.ca.cert).replace("protocol=tak&", "")
    try:
        with CotSender(plain) as sender:
            sender.send_many([event("x.1"), event("x.2")])
            wait_until(lambda: listener.data.count(b"</event>") >= 2)
        assert bytes(listener.data) == (event("x.1") + event("x.2")).encode()
    finally:
        listener.close()


def test_an_encrypted_key_needs_its_password_from_the_environment(
    pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    listener = TlsListener(pki)
    try:
        locked = url(listener.port, pki.locked, pki.ca.cert, password_env="FW_TEST_KEY_PASSWORD")
        monkeypatch.delenv("FW_TEST_KEY_PASSWORD", raising=False)
        with pytest.raises(ValueError, match="FW_TEST_KEY_PASSWORD is not set"):
            CotSender(locked)
        monkeypatch.setenv("FW_TEST_KEY_PASSWORD", "wrong")
        with pytest.raises(ValueError, match="cert .* and key"):
            CotSender(locked)
        with pytest.raises(ValueError, match="cert .* and key"):
            CotSender(url(listener.port, pki.locked, pki.ca.cert))  # no password given
        monkeypatch.setenv("FW_TEST_KEY_PASSWORD", "atakatak")
        with CotSender(locked) as sender:
            sender.send(event("unlocked"))
            assert listener.wait_for(1) == ["unlocked"]
        assert listener.clients == ["flankwatch-client"]
    finally:
        listener.close()


def test_unusable_certificate_files_are_named(pki: Pki, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    with pytest.raises(ValueError, match="cert .*missing.pem is not a readable file"):
        CotSender(f"tls://127.0.0.1:8089?cert={missing}&key={pki.client.key}")
    with pytest.raises(ValueError, match="give cert and key together"):
        CotSender(f"tls://127.0.0.1:8089?cert={pki.client.cert}")
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate\n")
    with pytest.raises(ValueError, match="ca .*ca.pem"):
        CotSender(f"tls://127.0.0.1:8089?ca={not_pem}")
    with pytest.raises(ValueError, match="cert .* and key"):
        CotSender(f"tls://127.0.0.1:8089?cert={pki.client.cert}&key={pki.stranger.key}")
