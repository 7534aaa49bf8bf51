"""An RSA test PKI for trusted-list signers, made with pyca/cryptography (an
implementation nobody here wrote): a self-signed root CA and a signer
certificate it issues (sha256WithRSAEncryption), the signer's private key as
a JWK for xadesjs (WebCrypto RSASSA-PKCS1-v1_5).

  python rsa_pki.py ROOT_BITS SIGNER_BITS NOT_BEFORE NOT_AFTER   (UNIX seconds)

Prints {"root_pem", "signer_pem", "signer_jwk", "signer_pkcs8"} as JSON
(signer_pkcs8: the private key as base64 PKCS #8 DER).
"""
import base64
import datetime
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def b64u_int(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def main() -> None:
    root_bits, signer_bits, nb, na = (int(a) for a in sys.argv[1:5])
    not_before = datetime.datetime.fromtimestamp(nb, datetime.timezone.utc)
    not_after = datetime.datetime.fromtimestamp(na, datetime.timezone.utc)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=root_bits)
    root = (
        x509.CertificateBuilder()
        .subject_name(name("RSA TL Root"))
        .issuer_name(name("RSA TL Root"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(root_key, hashes.SHA256())
    )
    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=signer_bits)
    signer = (
        x509.CertificateBuilder()
        .subject_name(name("RSA TL Signer"))
        .issuer_name(root.subject)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(root_key, hashes.SHA256())
    )
    p = signer_key.private_numbers()
    jwk = {
        "kty": "RSA",
        "n": b64u_int(p.public_numbers.n),
        "e": b64u_int(p.public_numbers.e),
        "d": b64u_int(p.d),
        "p": b64u_int(p.p),
        "q": b64u_int(p.q),
        "dp": b64u_int(p.dmp1),
        "dq": b64u_int(p.dmq1),
        "qi": b64u_int(p.iqmp),
    }
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM).decode()
    pkcs8 = signer_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    print(
        json.dumps(
            {
                "root_pem": pem(root),
                "signer_pem": pem(signer),
                "signer_jwk": jwk,
                "signer_pkcs8": base64.b64encode(pkcs8).decode(),
            }
        )
    )


if __name__ == "__main__":
    main()
