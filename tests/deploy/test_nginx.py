"""The nginx site: TLS only, HSTS, rate limits on code entry and sign-in, no query strings in logs."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "stembus.conf"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def site() -> str:
    """The site without comments."""
    return "\n".join(line.split("#", 1)[0] for line in SITE.read_text().splitlines())


def location(path: str) -> str:
    """The body of one location block (locations do not nest in this file)."""
    found = re.search(r"location\s+" + re.escape(path) + r"\s*\{(.*?)\}", site(), re.S)
    assert found, f"no location {path}"
    return found.group(1)


def test_only_tls_12_and_13():
    assert re.search(r"ssl_protocols\s+TLSv1\.2 TLSv1\.3;", site())
    assert "SSLv3" not in site() and "TLSv1.1" not in site() and "TLSv1 " not in site()


def test_plain_http_only_redirects():
    plain = site().split("listen 443", 1)[0]
    assert "return 301 https://$host$request_uri;" in plain
    assert "proxy_pass" not in plain


def test_hsts_is_sent_on_every_response():
    hsts = r'add_header Strict-Transport-Security "max-age=\d+; includeSubDomains" always;'
    assert len(re.findall(hsts, site())) >= 2


def test_bodies_are_small_except_the_register_upload():
    sizes = re.findall(r"client_max_body_size\s+(\S+);", site())
    assert sizes[0] == "128k"
    assert "client_max_body_size 20m;" in location(r"~ ^/committee/elections/[0-9]+/register/import$")
    assert sizes.count("20m") == 1 and len(sizes) == 2


@pytest.mark.parametrize(
    ("path", "zone"), [("/stem", "stembus_code"), ("/vote", "stembus_code"), ("= /auth/login", "stembus_login")]
)
def test_code_entry_and_sign_in_are_rate_limited(path, zone):
    assert f"limit_req zone={zone} " in location(path)
    assert re.search(rf"limit_req_zone \$binary_remote_addr zone={zone}:\d+m rate=\d+r/m;", site())


def test_access_log_has_no_query_string_and_no_full_address():
    log_format = re.search(r"log_format stembus (.*?);", site(), re.S).group(1)
    assert "$request_uri" not in log_format and "$args" not in log_format and "$request " not in log_format
    assert "$uri" in log_format
    assert "$remote_addr" not in log_format
    for found in re.findall(r"access_log\s+(\S+)(?:\s+(\S+))?;", site()):
        assert found[0] == "off" or found[1] == "stembus", found
    assert "access_log off;" in location("/stem")


def test_static_files_are_served_by_nginx_with_their_headers():
    static = location("/static/")
    assert "alias /opt/stembus/static/;" in static and "proxy_pass" not in static
    assert "X-Content-Type-Options" in static and "Strict-Transport-Security" in static


def test_proxy_passes_the_client_address_and_scheme():
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site()
    assert "server unix:/run/stembus/gunicorn.sock" in site()
    assert "STEMBUS_PROXY_COUNT=1" in (ROOT / "deploy" / "systemd" / "stembus-web.service").read_text()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_nginx_accepts_the_site(tmp_path):
    if NGINX is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is required in CI (STEMBUS_NEED_DEPLOY_TOOLS=1 deploy/install-system-packages.sh)")
        pytest.skip("nginx is not installed (make test installs it)")
    cert, key = _self_signed(tmp_path)
    text = SITE.read_text()
    text = text.replace("/etc/letsencrypt/live/stembus.example.org/fullchain.pem", str(cert))
    text = text.replace("/etc/letsencrypt/live/stembus.example.org/privkey.pem", str(key))
    text = text.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(text)
    temp_paths = "".join(f"  {kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n{temp_paths}  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-q", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
