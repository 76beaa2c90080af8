#!/usr/bin/env python3
"""An independent check of knocktool's SPA test vectors (docs/spa.md), with Python's `cryptography`:
rebuilds every intermediate value and the datagram from each vector's inputs, then opens the datagram as
a server would (mac1, X25519, HKDF-SHA256, ChaCha20-Poly1305, Ed25519). Usage: check_vectors.py vectors.json
"""
import hashlib, hmac, ipaddress, json, struct, sys
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes, serialization

RAW = dict(encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw)

def body_of(v):
    user, door = v["user"].encode(), v["door"].encode()
    b = bytes([len(user)]) + user + struct.pack(">Q", v["timestamp_ms"]) + bytes.fromhex(v["nonce"])
    if v["address"] == "source":
        b += b"\x00"
    else:
        a = ipaddress.ip_address(v["address"])
        b += bytes([a.version]) + a.packed
    b += bytes([len(door)]) + door + struct.pack(">I", v["duration_s"])
    assert len(b) <= 176
    return b + bytes(176 - len(b))

def check(v):
    server = X25519PrivateKey.from_private_bytes(bytes.fromhex(v["server_private"]))
    server_pub = server.public_key().public_bytes(**RAW)
    eph = X25519PrivateKey.from_private_bytes(bytes.fromhex(v["ephemeral_private"]))
    eph_pub = eph.public_key().public_bytes(**RAW)
    user = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(v["user_private"]))
    user_pub = user.public_key().public_bytes(**RAW)
    shared = eph.exchange(X25519PublicKey.from_public_bytes(server_pub))
    key = HKDF(hashes.SHA256(), 32, eph_pub + server_pub, b"knocktool-spa/1 aead").derive(shared)
    body = body_of(v)
    signed = b"knocktool-spa/1 sig" + server_pub + b"\x01" + eph_pub + body
    sig = user.sign(signed)
    sealed = ChaCha20Poly1305(key).encrypt(bytes(12), body + sig, b"\x01" + eph_pub)
    mac1 = hashlib.blake2s(b"\x01" + eph_pub + sealed, key=bytes.fromhex(v["mac1_secret"]), digest_size=16).digest()
    datagram = b"\x01" + mac1 + eph_pub + sealed
    for name, value in [("server_public", server_pub), ("user_public", user_pub), ("ephemeral_public", eph_pub),
                        ("shared_secret", shared), ("aead_key", key), ("body", body), ("signed_message", signed),
                        ("mac1", mac1), ("datagram", datagram)]:
        if value.hex() != v[name]:
            sys.exit(f"{v['name']}: {name} differs:\n  python {value.hex()}\n  vector {v[name]}")
    # Open it as the server does.
    d = bytes.fromhex(v["datagram"])
    assert len(d) == 305 and d[0] == 1
    assert hmac.compare_digest(d[1:17], mac1)
    shared2 = server.exchange(X25519PublicKey.from_public_bytes(d[17:49]))
    key2 = HKDF(hashes.SHA256(), 32, d[17:49] + server_pub, b"knocktool-spa/1 aead").derive(shared2)
    plain = ChaCha20Poly1305(key2).decrypt(bytes(12), d[49:], d[:1] + d[17:49])
    Ed25519PublicKey.from_public_bytes(user_pub).verify(plain[176:],
        b"knocktool-spa/1 sig" + server_pub + d[:1] + d[17:49] + plain[:176])

vectors = json.load(open(sys.argv[1]))["vectors"]
for v in vectors:
    check(v)
print(f"{len(vectors)} vectors OK")
