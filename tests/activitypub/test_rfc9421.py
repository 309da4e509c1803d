"""RFC 9421 HTTP Message Signatures: the published vectors of Appendix B.2 and section 4.3."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from activitypub.errors import (
    DigestMismatchError,
    ExpiredSignatureError,
    InsufficientCoverageError,
    InvalidSignatureError,
    MalformedSignatureError,
)
from activitypub.keys import (
    generate_ed25519_private_key,
    generate_rsa_private_key,
    load_private_key_pem,
    load_public_key_pem,
)
from activitypub.signatures import components, rfc9421
from activitypub.signatures.components import HttpMessage
from activitypub.signatures.digest import check_content_digest, content_digest_header


def unwrap(text: str) -> str:
    """Undo RFC 8792 single-backslash line wrapping, as the RFC prints long lines."""
    lines = text.strip("\n").split("\n")
    out = lines[0]
    for line in lines[1:]:
        out = out[:-1] + line.lstrip() if out.endswith("\\") else out + "\n" + line
    return out


# RFC 9421 Appendix B.1 example keys, verbatim.
RSA_PUBLIC = """\
-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsPBRrw
WEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsdJKFq
MGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75jfZg
kne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKIlE0P
uKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZSFlQ
PSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQAB
-----END RSA PUBLIC KEY-----
"""
RSA_PRIVATE = """\
-----BEGIN RSA PRIVATE KEY-----
MIIEqAIBAAKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsP
BRrwWEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsd
JKFqMGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75
jfZgkne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKI
lE0PuKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZ
SFlQPSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQABAoIBAG/JZuSWdoVHbi56
vjgCgkjg3lkO1KrO3nrdm6nrgA9P9qaPjxuKoWaKO1cBQlE1pSWp/cKncYgD5WxE
CpAnRUXG2pG4zdkzCYzAh1i+c34L6oZoHsirK6oNcEnHveydfzJL5934egm6p8DW
+m1RQ70yUt4uRc0YSor+q1LGJvGQHReF0WmJBZHrhz5e63Pq7lE0gIwuBqL8SMaA
yRXtK+JGxZpImTq+NHvEWWCu09SCq0r838ceQI55SvzmTkwqtC+8AT2zFviMZkKR
Qo6SPsrqItxZWRty2izawTF0Bf5S2VAx7O+6t3wBsQ1sLptoSgX3QblELY5asI0J
YFz7LJECgYkAsqeUJmqXE3LP8tYoIjMIAKiTm9o6psPlc8CrLI9CH0UbuaA2JCOM
cCNq8SyYbTqgnWlB9ZfcAm/cFpA8tYci9m5vYK8HNxQr+8FS3Qo8N9RJ8d0U5Csw
DzMYfRghAfUGwmlWj5hp1pQzAuhwbOXFtxKHVsMPhz1IBtF9Y8jvgqgYHLbmyiu1
mwJ5AL0pYF0G7x81prlARURwHo0Yf52kEw1dxpx+JXER7hQRWQki5/NsUEtv+8RT
qn2m6qte5DXLyn83b1qRscSdnCCwKtKWUug5q2ZbwVOCJCtmRwmnP131lWRYfj67
B/xJ1ZA6X3GEf4sNReNAtaucPEelgR2nsN0gKQKBiGoqHWbK1qYvBxX2X3kbPDkv
9C+celgZd2PW7aGYLCHq7nPbmfDV0yHcWjOhXZ8jRMjmANVR/eLQ2EfsRLdW69bn
f3ZD7JS1fwGnO3exGmHO3HZG+6AvberKYVYNHahNFEw5TsAcQWDLRpkGybBcxqZo
81YCqlqidwfeO5YtlO7etx1xLyqa2NsCeG9A86UjG+aeNnXEIDk1PDK+EuiThIUa
/2IxKzJKWl1BKr2d4xAfR0ZnEYuRrbeDQYgTImOlfW6/GuYIxKYgEKCFHFqJATAG
IxHrq1PDOiSwXd2GmVVYyEmhZnbcp8CxaEMQoevxAta0ssMK3w6UsDtvUvYvF22m
qQKBiD5GwESzsFPy3Ga0MvZpn3D6EJQLgsnrtUPZx+z2Ep2x0xc5orneB5fGyF1P
WtP+fG5Q6Dpdz3LRfm+KwBCWFKQjg7uTxcjerhBWEYPmEMKYwTJF5PBG9/ddvHLQ
EQeNC8fHGg4UXU8mhHnSBt3EA10qQJfRDs15M38eG2cYwB1PZpDHScDnDA0=
-----END RSA PRIVATE KEY-----
"""
PSS_PUBLIC = """\
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
2wIDAQAB
-----END PUBLIC KEY-----
"""
PSS_PRIVATE = """\
-----BEGIN PRIVATE KEY-----
MIIEvgIBADALBgkqhkiG9w0BAQoEggSqMIIEpgIBAAKCAQEAr4tmm3r20Wd/Pbqv
P1s2+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry5
3mm+oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7Oyr
FAHqgDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUA
AN5WUtzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw
9lq4aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oy
c6XI2wIDAQABAoIBAQCUB8ip+kJiiZVKF8AqfB/aUP0jTAqOQewK1kKJ/iQCXBCq
pbo360gvdt05H5VZ/RDVkEgO2k73VSsbulqezKs8RFs2tEmU+JgTI9MeQJPWcP6X
aKy6LIYs0E2cWgp8GADgoBs8llBq0UhX0KffglIeek3n7Z6Gt4YFge2TAcW2WbN4
XfK7lupFyo6HHyWRiYHMMARQXLJeOSdTn5aMBP0PO4bQyk5ORxTUSeOciPJUFktQ
HkvGbym7KryEfwH8Tks0L7WhzyP60PL3xS9FNOJi9m+zztwYIXGDQuKM2GDsITeD
2mI2oHoPMyAD0wdI7BwSVW18p1h+jgfc4dlexKYRAoGBAOVfuiEiOchGghV5vn5N
RDNscAFnpHj1QgMr6/UG05RTgmcLfVsI1I4bSkbrIuVKviGGf7atlkROALOG/xRx
DLadgBEeNyHL5lz6ihQaFJLVQ0u3U4SB67J0YtVO3R6lXcIjBDHuY8SjYJ7Ci6Z6
vuDcoaEujnlrtUhaMxvSfcUJAoGBAMPsCHXte1uWNAqYad2WdLjPDlKtQJK1diCm
rqmB2g8QE99hDOHItjDBEdpyFBKOIP+NpVtM2KLhRajjcL9Ph8jrID6XUqikQuVi
4J9FV2m42jXMuioTT13idAILanYg8D3idvy/3isDVkON0X3UAVKrgMEne0hJpkPL
FYqgetvDAoGBAKLQ6JZMbSe0pPIJkSamQhsehgL5Rs51iX4m1z7+sYFAJfhvN3Q/
OGIHDRp6HjMUcxHpHw7U+S1TETxePwKLnLKj6hw8jnX2/nZRgWHzgVcY+sPsReRx
NJVf+Cfh6yOtznfX00p+JWOXdSY8glSSHJwRAMog+hFGW1AYdt7w80XBAoGBAImR
NUugqapgaEA8TrFxkJmngXYaAqpA0iYRA7kv3S4QavPBUGtFJHBNULzitydkNtVZ
3w6hgce0h9YThTo/nKc+OZDZbgfN9s7cQ75x0PQCAO4fx2P91Q+mDzDUVTeG30mE
t2m3S0dGe47JiJxifV9P3wNBNrZGSIF3mrORBVNDAoGBAI0QKn2Iv7Sgo4T/XjND
dl2kZTXqGAk8dOhpUiw/HdM3OGWbhHj2NdCzBliOmPyQtAr770GITWvbAI+IRYyF
S7Fnk6ZVVVHsxjtaHy1uJGFlaZzKR4AGNaUTOJMs6NadzCmGPAxNQQOCqoUjn4XR
rOjr9w349JooGXhOxbu8nOxX
-----END PRIVATE KEY-----
"""
P256_PUBLIC = """\
-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lf
w0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==
-----END PUBLIC KEY-----
"""
P256_PRIVATE = """\
-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIFKbhfNZfpDsW43+0+JjUr9K+bTeuxopu653+hBaXGA7oAoGCCqGSM49
AwEHoUQDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lfw0EkjqF7xB4FivAxzic30tMM
4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==
-----END EC PRIVATE KEY-----
"""
ED25519_PUBLIC = """\
-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----
"""
ED25519_PRIVATE = """\
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----
"""
SHARED_SECRET = unwrap(
    """
uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBt\\
  bmHhIDi6pcl8jsasjlTMtDQ==
"""
)

BODY = b'{"hello": "world"}'
REQUEST_HEADERS = {
    "Host": "example.com",
    "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Type": "application/json",
    "Content-Digest": unwrap(
        """
sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+T\\
  aPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"""
    ),
    "Content-Length": "18",
}
CREATED = 1618884473


def b2_request(signature_input: str, signature: str) -> HttpMessage:
    headers = {**REQUEST_HEADERS, "Signature-Input": unwrap(signature_input)}
    headers["Signature"] = unwrap(signature)
    return HttpMessage.request("POST", "/foo?param=Value&Pet=dog", headers)


B21 = (
    """
sig-b21=();created=1618884473\\
  ;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"
""",
    """
sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopem\\
  LJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG\\
  52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx\\
  2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6\\
  UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3\\
  +7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:
""",
)
B21_BASE = """
"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss"\\
  ;nonce="b3k2pp5k7z-50gnwp.yemd"
"""

B22 = (
    """
sig-b22=("@authority" "content-digest" \\
  "@query-param";name="Pet");created=1618884473\\
  ;keyid="test-key-rsa-pss";tag="header-example"
""",
    """
sig-b22=:LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQ\\
  EdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT\\
  8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SA\\
  RYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd\\
  4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoK\\
  UqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==:
""",
)
B22_BASE = """
"@authority": example.com
"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX\\
  +TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"@query-param";name="Pet": dog
"@signature-params": ("@authority" "content-digest" \\
  "@query-param";name="Pet")\\
  ;created=1618884473;keyid="test-key-rsa-pss"\\
  ;tag="header-example"
"""

B23 = (
    """
sig-b23=("date" "@method" "@path" "@query" \\
  "@authority" "content-type" "content-digest" "content-length")\\
  ;created=1618884473;keyid="test-key-rsa-pss"
""",
    """
sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yB\\
  iMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fU\\
  xN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1\\
  pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9\\
  bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5Z\\
  JzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:
""",
)
B23_BASE = """
"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@query": ?param=Value&Pet=dog
"@authority": example.com
"content-type": application/json
"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX\\
  +TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@query" \\
  "@authority" "content-type" "content-digest" "content-length")\\
  ;created=1618884473;keyid="test-key-rsa-pss"
"""

B24 = (
    """
sig-b24=("@status" "content-type" \\
  "content-digest" "content-length");created=1618884473\\
  ;keyid="test-key-ecc-p256"
""",
    """
sig-b24=:wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NK\\
  ocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==:
""",
)
B24_BASE = """
"@status": 200
"content-type": application/json
"content-digest": sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ4\\
  1QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:
"content-length": 23
"@signature-params": ("@status" "content-type" "content-digest" \\
  "content-length");created=1618884473;keyid="test-key-ecc-p256"
"""

B25 = (
    """
sig-b25=("date" "@authority" "content-type")\\
  ;created=1618884473;keyid="test-shared-secret"
""",
    """
sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:
""",
)
B25_BASE = """
"date": Tue, 20 Apr 2021 02:07:55 GMT
"@authority": example.com
"content-type": application/json
"@signature-params": ("date" "@authority" "content-type")\\
  ;created=1618884473;keyid="test-shared-secret"
"""

B26 = (
    """
sig-b26=("date" "@method" "@path" "@authority" \\
  "content-type" "content-length");created=1618884473\\
  ;keyid="test-key-ed25519"
""",
    """
sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1\\
  u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:
""",
)
B26_BASE = """
"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@authority": example.com
"content-type": application/json
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@authority" \\
  "content-type" "content-length");created=1618884473\\
  ;keyid="test-key-ed25519"
"""

# Section 4.3: a proxy's rsa-v1_5-sha256 signature over the forwarded request.
PROXY_HEADERS = {
    "Host": "origin.host.internal.example",
    "Date": "Tue, 20 Apr 2021 02:07:56 GMT",
    "Content-Type": "application/json",
    "Content-Length": "18",
    "Forwarded": "for=192.0.2.123;host=example.com;proto=https",
    "Content-Digest": REQUEST_HEADERS["Content-Digest"],
}
PROXY_SIGNATURE_INPUT = """
sig1=("@method" "@authority" "@path" \\
    "content-digest" "content-type" "content-length")\\
    ;created=1618884475;keyid="test-key-ecc-p256", \\
  proxy_sig=("@method" "@authority" "@path" "content-digest" \\
    "content-type" "content-length" "forwarded")\\
    ;created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256"\\
    ;expires=1618884540
"""
PROXY_SIGNATURE = """
sig1=:X5spyd6CFnAG5QnDyHfqoSNICd+BUP4LYMz2Q0JXlb//4Ijpzp\\
    +kve2w4NIyqeAuM7jTDX+sNalzA8ESSaHD3A==:, \\
  proxy_sig=:S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+\\
    JH+8XY1I6+8Cy+CM5g92iHgxtRPz+MjniOaYmdkDcnL9cCpXJleXsOckpURl49G\\
    wiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7\\
    LB5YAv0RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtf\\
    lzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+YuI87HU38lZHowtznbL\\
    Vdp770I6VHR6WfgS9ddzirrswsE1w5o0LV/g==:
"""
PROXY_BASE = """
"@method": POST
"@authority": origin.host.internal.example
"@path": /foo
"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX\\
  +TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"content-type": application/json
"content-length": 18
"forwarded": for=192.0.2.123;host=example.com;proto=https
"@signature-params": ("@method" "@authority" "@path" \\
  "content-digest" "content-type" "content-length" "forwarded")\\
  ;created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256"\\
  ;expires=1618884540
"""
CLIENT_HEADERS = {**REQUEST_HEADERS}


def proxy_request() -> HttpMessage:
    headers = {**PROXY_HEADERS, "Signature-Input": unwrap(PROXY_SIGNATURE_INPUT)}
    headers["Signature"] = unwrap(PROXY_SIGNATURE)
    return HttpMessage.request("POST", "/foo?param=Value&Pet=dog", headers)


def base_of(message: HttpMessage, label: str) -> str:
    (signature,) = [s for s in rfc9421.parse_signatures(message.headers) if s.label == label]
    return rfc9421.signature_base(message, signature)


@pytest.mark.parametrize(
    ("vector", "base", "label"),
    [(B21, B21_BASE, "sig-b21"), (B22, B22_BASE, "sig-b22"), (B23, B23_BASE, "sig-b23")],
)
def test_rfc9421__b2_rsa_pss_vectors_build_the_published_base_and_verify(
    vector: tuple[str, str], base: str, label: str
) -> None:
    message = b2_request(*vector)
    assert base_of(message, label) == unwrap(base)
    key = load_public_key_pem(PSS_PUBLIC)
    verified = rfc9421.verify_message(message, key=key, algorithm="rsa-pss-sha512")
    assert verified.label == label
    assert verified.key_id == "test-key-rsa-pss"


def test_rfc9421__b2_rsa_pss_signature_round_trips_with_the_published_private_key() -> None:
    message = HttpMessage.request("POST", "/foo?param=Value&Pet=dog", REQUEST_HEADERS)
    signature_input, signature = rfc9421.sign_message(
        message,
        key=load_private_key_pem(PSS_PRIVATE),
        key_id="test-key-rsa-pss",
        components=["@authority", "content-digest", ("@query-param", {"name": "Pet"})],
        created=CREATED,
        tag="header-example",
        label="sig-b22",
        algorithm="rsa-pss-sha512",
    )
    assert signature_input == unwrap(B22[0])
    signed = b2_request(signature_input, signature)
    key = load_public_key_pem(PSS_PUBLIC)
    assert rfc9421.verify_message(signed, key=key, algorithm="rsa-pss-sha512").label == "sig-b22"


def b24_response(signature_input: str, signature: str) -> HttpMessage:
    # The printed test-response carries a different Content-Digest than the B.2.4 base; the
    # base's value is the true SHA-512 of the body, so that is the one the signature covers.
    body = b'{"message": "good dog"}'
    headers = {
        "Date": "Tue, 20 Apr 2021 02:07:56 GMT",
        "Content-Type": "application/json",
        "Content-Digest": content_digest_header(body, ["sha-512"]),
        "Content-Length": "23",
        "Signature-Input": unwrap(signature_input),
        "Signature": unwrap(signature),
    }
    return HttpMessage.response(200, headers)


def test_rfc9421__b24_ecdsa_response_builds_the_published_base_and_verifies() -> None:
    message = b24_response(*B24)
    assert base_of(message, "sig-b24") == unwrap(B24_BASE)
    key = load_public_key_pem(P256_PUBLIC)
    assert rfc9421.verify_message(message, key=key).key_id == "test-key-ecc-p256"


def test_rfc9421__b24_ecdsa_signature_round_trips_with_the_published_private_key() -> None:
    unsigned = b24_response(*B24)
    signature_input, signature = rfc9421.sign_message(
        unsigned,
        key=load_private_key_pem(P256_PRIVATE),
        key_id="test-key-ecc-p256",
        components=["@status", "content-type", "content-digest", "content-length"],
        created=CREATED,
        label="sig-b24",
    )
    assert signature_input == unwrap(B24[0])
    message = b24_response(signature_input, signature)
    assert rfc9421.verify_message(message, key=load_public_key_pem(P256_PUBLIC))


def test_rfc9421__b25_hmac_reproduces_the_published_signature() -> None:
    message = b2_request(*B25)
    assert base_of(message, "sig-b25") == unwrap(B25_BASE)
    secret = __import__("base64").b64decode(SHARED_SECRET)
    assert rfc9421.verify_message(message, key=secret).key_id == "test-shared-secret"
    signed = rfc9421.sign_message(
        message,
        key=secret,
        key_id="test-shared-secret",
        components=["date", "@authority", "content-type"],
        created=CREATED,
        label="sig-b25",
    )
    assert signed == (unwrap(B25[0]), unwrap(B25[1]))


def test_rfc9421__b26_ed25519_reproduces_the_published_signature() -> None:
    message = b2_request(*B26)
    assert base_of(message, "sig-b26") == unwrap(B26_BASE)
    key = load_public_key_pem(ED25519_PUBLIC)
    assert rfc9421.verify_message(message, key=key).key_id == "test-key-ed25519"
    signed = rfc9421.sign_message(
        message,
        key=load_private_key_pem(ED25519_PRIVATE),
        key_id="test-key-ed25519",
        components=["date", "@method", "@path", "@authority", "content-type", "content-length"],
        created=CREATED,
        label="sig-b26",
    )
    assert signed == (unwrap(B26[0]), unwrap(B26[1]))


def test_rfc9421__section_4_3_proxy_signature_builds_the_published_base_and_verifies() -> None:
    message = proxy_request()
    assert base_of(message, "proxy_sig") == unwrap(PROXY_BASE)
    key = load_public_key_pem(RSA_PUBLIC)
    assert rfc9421.verify_message(message, key=key, label="proxy_sig").key_id == "test-key-rsa"


def test_rfc9421__section_4_3_proxy_signature_is_reproduced_byte_for_byte() -> None:
    unsigned = HttpMessage.request("POST", "/foo?param=Value&Pet=dog", PROXY_HEADERS)
    _, signature = rfc9421.sign_message(
        unsigned,
        key=load_private_key_pem(RSA_PRIVATE),
        key_id="test-key-rsa",
        components=[
            "@method",
            "@authority",
            "@path",
            "content-digest",
            "content-type",
            "content-length",
            "forwarded",
        ],
        created=1618884480,
        expires=1618884540,
        label="proxy_sig",
        algorithm="rsa-v1_5-sha256",
        include_alg=True,
    )
    assert signature == unwrap(PROXY_SIGNATURE).split(", ")[1]


def test_rfc9421__section_4_3_client_signature_verifies_on_the_original_request() -> None:
    headers = {**CLIENT_HEADERS, "Signature-Input": unwrap(PROXY_SIGNATURE_INPUT)}
    headers["Signature"] = unwrap(PROXY_SIGNATURE)
    message = HttpMessage.request("POST", "/foo?param=Value&Pet=dog", headers)
    key = load_public_key_pem(P256_PUBLIC)
    assert rfc9421.verify_message(message, key=key, label="sig1").key_id == "test-key-ecc-p256"


def test_rfc9421__proxy_signature_fails_once_a_covered_header_changes() -> None:
    message = proxy_request()
    headers = {**message.headers, "forwarded": "for=192.0.2.124;host=example.com;proto=https"}
    tampered = HttpMessage.request("POST", "/foo?param=Value&Pet=dog", headers)
    with pytest.raises(InvalidSignatureError):
        rfc9421.verify_message(tampered, key=load_public_key_pem(RSA_PUBLIC), label="proxy_sig")


def test_rfc9421__rejects_an_alg_parameter_that_disagrees_with_the_key() -> None:
    with pytest.raises(MalformedSignatureError, match="disagrees"):
        rfc9421.verify_message(
            proxy_request(),
            key=load_public_key_pem(RSA_PUBLIC),
            label="proxy_sig",
            algorithm="rsa-pss-sha512",
        )


# --- Our fediverse policy on top of RFC 9421 (Mastodon's rules) ------------------------------

NOW = 1_700_000_000
RSA_KEY = generate_rsa_private_key()
ED_KEY = generate_ed25519_private_key()


def signed_post(key: object = RSA_KEY, body: bytes = BODY, **overrides: object) -> dict[str, str]:
    headers = {
        "Host": "kommun-b.example",
        "Date": "Tue, 14 Nov 2023 22:13:20 GMT",
        "Content-Type": "application/activity+json",
        "Content-Digest": content_digest_header(body),
    }
    options: dict[str, object] = {"created": NOW, "key_id": "https://a.example/u/alice#main-key"}
    options |= overrides
    return headers | rfc9421.sign_request(
        method="POST",
        path="/inbox?x=1",
        headers=headers,
        key=key,
        **options,  # type: ignore[arg-type]
    )


def verify_post(headers: dict[str, str], body: bytes = BODY, now: float = NOW, **kw: object) -> str:
    key = kw.pop("key", RSA_KEY.public_key())
    return rfc9421.verify_request(
        method="POST",
        path="/inbox?x=1",
        headers=headers,
        body=body,
        key=key,
        now=now,
        **kw,  # type: ignore[arg-type]
    )


def test_rfc9421__verifies_a_signed_post_and_returns_its_keyid() -> None:
    assert verify_post(signed_post()) == "https://a.example/u/alice#main-key"


def test_rfc9421__resolves_the_key_through_a_callable() -> None:
    seen: list[str] = []

    def resolve(key_id: str) -> object:
        seen.append(key_id)
        return ED_KEY.public_key()

    assert verify_post(signed_post(ED_KEY), key=resolve)
    assert seen == ["https://a.example/u/alice#main-key"]


def test_rfc9421__rejects_a_body_that_does_not_match_content_digest() -> None:
    with pytest.raises(DigestMismatchError, match="sha-256"):
        verify_post(signed_post(), body=b'{"hello": "mallory"}')


def test_rfc9421__rejects_a_post_without_content_digest_signed() -> None:
    headers = signed_post(components=["@method", "@target-uri", "date"])
    with pytest.raises(InsufficientCoverageError, match="Content-Digest"):
        verify_post(headers)


def test_rfc9421__rejects_a_signature_without_method_and_target_uri() -> None:
    headers = signed_post(components=["@authority", "content-digest"])
    with pytest.raises(InsufficientCoverageError, match="@target-uri"):
        verify_post(headers)


def test_rfc9421__rejects_a_signature_created_two_hours_ago() -> None:
    with pytest.raises(ExpiredSignatureError, match="expired"):
        verify_post(signed_post(), now=NOW + 2 * 3600)


def test_rfc9421__honours_an_explicit_expires_parameter() -> None:
    message = HttpMessage.request("GET", "/inbox", {"Host": "b.example"})
    signature_input, signature = rfc9421.sign_message(
        message,
        key=ED_KEY,
        key_id="k",
        components=["@method", "@target-uri"],
        created=NOW,
        expires=NOW + 60,
    )
    headers = {"Host": "b.example", "Signature-Input": signature_input, "Signature": signature}
    verify = rfc9421.verify_request
    assert (
        verify(
            method="GET",
            path="/inbox",
            headers=headers,
            body=b"",
            key=ED_KEY.public_key(),
            now=NOW + 3600 + 59,
        )
        == "k"
    )
    with pytest.raises(ExpiredSignatureError):
        verify(
            method="GET",
            path="/inbox",
            headers=headers,
            body=b"",
            key=ED_KEY.public_key(),
            now=NOW + 3600 + 61,
        )


def test_rfc9421__rejects_a_signature_without_created() -> None:
    headers = signed_post()
    headers["Signature-Input"] = headers["Signature-Input"].replace(f";created={NOW}", "")
    with pytest.raises(MalformedSignatureError, match="created"):
        verify_post(headers)


def test_rfc9421__rejects_a_signature_by_another_key() -> None:
    with pytest.raises(InvalidSignatureError):
        verify_post(signed_post(), key=generate_rsa_private_key().public_key())


def test_rfc9421__rejects_a_covered_content_digest_that_is_absent() -> None:
    headers = signed_post()
    del headers["Content-Digest"]
    with pytest.raises(MalformedSignatureError, match="Content-Digest"):
        verify_post(headers)


def test_rfc9421__rejects_an_ed25519_signature_checked_with_an_rsa_key() -> None:
    with pytest.raises(MalformedSignatureError, match="key type"):
        verify_post(signed_post(ED_KEY), key=RSA_KEY.public_key(), algorithm="ed25519")


@pytest.mark.parametrize(
    ("signature_input", "signature", "reason"),
    [
        ("sig1=();created=1", "sig1=:AAAA:", "keyid"),
        ("sig1=(", "sig1=:AAAA:", "structured"),
        ('sig1="text"', "sig1=:AAAA:", "inner list"),
        ('sig1=();keyid="k"', "sig1=1", "byte sequence"),
        ('sig1=(a);keyid="k"', "sig1=:AAAA:", "not a string"),
        ('sig1=("@signature-params");keyid="k"', "sig1=:AAAA:", "cannot be covered"),
        ('sig1=("date" "date");keyid="k"', "sig1=:AAAA:", "cannot be covered"),
        ('sig1=("x-unknown");keyid="k"', "sig1=:AAAA:", "not in the message"),
        ('sig1=();keyid="k";alg="rsa-sha1"', "sig1=:AAAA:", "unsupported algorithm"),
    ],
)
def test_rfc9421__explains_malformed_signature_headers(
    signature_input: str, signature: str, reason: str
) -> None:
    headers = {"Signature-Input": signature_input, "Signature": signature, "Host": "b.example"}
    message = HttpMessage.request("GET", "/", headers | {"Date": "x"})
    with pytest.raises(MalformedSignatureError, match=reason):
        rfc9421.verify_message(message, key=ED_KEY.public_key())


def test_rfc9421__rejects_a_missing_signature_input_header() -> None:
    with pytest.raises(MalformedSignatureError, match="signature-input"):
        rfc9421.parse_signatures({"signature": "sig1=:AAAA:"})


def test_rfc9421__rejects_an_unknown_label() -> None:
    with pytest.raises(MalformedSignatureError, match="labelled nope"):
        rfc9421.verify_message(proxy_request(), key=ED_KEY.public_key(), label="nope")


def test_rfc9421__rejects_an_empty_signature_input() -> None:
    message = HttpMessage.request("GET", "/", {"Signature-Input": "", "Signature": ""})
    with pytest.raises(MalformedSignatureError, match="no signature"):
        rfc9421.verify_message(message, key=ED_KEY.public_key())


@pytest.mark.parametrize(
    ("algorithm", "key"),
    [
        ("rsa-v1_5-sha256", ED_KEY),
        ("rsa-pss-sha512", ED_KEY),
        ("ecdsa-p256-sha256", RSA_KEY),
        ("ecdsa-p256-sha256", ec.generate_private_key(ec.SECP384R1())),
        ("ed25519", RSA_KEY),
        ("hmac-sha256", RSA_KEY),
        ("rsa-sha1", RSA_KEY),
    ],
)
def test_rfc9421__refuses_to_sign_with_a_key_that_does_not_fit_the_algorithm(
    algorithm: str, key: object
) -> None:
    message = HttpMessage.request("GET", "/", {"Host": "b.example"})
    with pytest.raises(MalformedSignatureError):
        rfc9421.sign_message(
            message,
            key=key,
            key_id="k",
            components=[],
            created=NOW,
            algorithm=algorithm,  # type: ignore[arg-type]
        )


@pytest.mark.parametrize(
    ("algorithm", "public"),
    [
        ("rsa-v1_5-sha256", ED_KEY.public_key()),
        ("rsa-pss-sha512", ED_KEY.public_key()),
        ("ecdsa-p256-sha256", RSA_KEY.public_key()),
        ("ed25519", RSA_KEY.public_key()),
        ("hmac-sha256", RSA_KEY.public_key()),
    ],
)
def test_rfc9421__refuses_to_verify_with_a_key_that_does_not_fit_the_algorithm(
    algorithm: str, public: object
) -> None:
    with pytest.raises(MalformedSignatureError, match="key type"):
        rfc9421.verify_message(
            b2_request(*B21),
            key=public,
            algorithm=algorithm,  # type: ignore[arg-type]
        )


def test_rfc9421__rejects_an_ecdsa_signature_of_the_wrong_length() -> None:
    headers = {**REQUEST_HEADERS, "Signature-Input": 'sig=();keyid="k"', "Signature": "sig=:AAAA:"}
    message = HttpMessage.request("GET", "/", headers)
    with pytest.raises(InvalidSignatureError):
        rfc9421.verify_message(message, key=load_public_key_pem(P256_PUBLIC))


def test_rfc9421__rejects_a_wrong_hmac() -> None:
    headers = {**REQUEST_HEADERS, "Signature-Input": 'sig=();keyid="k"', "Signature": "sig=:AAAA:"}
    message = HttpMessage.request("GET", "/", headers)
    with pytest.raises(InvalidSignatureError):
        rfc9421.verify_message(message, key=b"secret")


def test_rfc9421__default_components_cover_the_digest_only_when_there_is_a_body() -> None:
    assert rfc9421.default_components("GET", {"host": "b"}) == (
        "@method",
        "@target-uri",
        "@authority",
    )
    with_body = rfc9421.default_components("POST", {"date": "d", "content-digest": "x"})
    assert with_body == ("@method", "@target-uri", "@authority", "date", "content-digest")


# --- Component values (RFC 9421 section 2) and Content-Digest (RFC 9530) --------------------

EXAMPLE_HEADERS = {
    "Host": "www.Example.com",
    "Example-Dict": " a=1,    b=2;x=1;y=2,   c=(a   b   c)",
    "Example-Header": "value, with, lots, of, commas",
    "Cache-Control": "max-age=60,    must-revalidate",
    "X-Broken": "a=(",
}


def value_of(component: str | tuple[str, dict[str, object]], path: str = "/p?a=1") -> str:
    message = HttpMessage.request("GET", path, EXAMPLE_HEADERS, scheme="HTTPS")
    parsed = (component, {}) if isinstance(component, str) else component
    return components.component_value(parsed, message)


@pytest.mark.parametrize(
    ("component", "expected"),
    [
        ("@method", "GET"),
        ("@target-uri", "https://www.example.com/p?a=1"),
        ("@authority", "www.example.com"),
        ("@scheme", "https"),
        ("@request-target", "/p?a=1"),
        ("@path", "/p"),
        ("@query", "?a=1"),
        # RFC 9421 section 2.1.1 and 2.1.2 examples.
        (("cache-control", {"sf": True}), "max-age=60, must-revalidate"),
        (("example-dict", {"key": "b"}), "2;x=1;y=2"),
        (("example-dict", {"key": "c"}), "(a b c)"),
        # RFC 9421 section 2.1.3 example.
        (("example-header", {"bs": True}), ":dmFsdWUsIHdpdGgsIGxvdHMsIG9mLCBjb21tYXM=:"),
    ],
)
def test_rfc9421__derives_component_values(
    component: str | tuple[str, dict[str, object]], expected: str
) -> None:
    assert value_of(component) == expected


def test_rfc9421__an_empty_path_and_query_normalise() -> None:
    assert value_of("@path", "?x") == "/"
    assert value_of("@query", "/p") == "?"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # RFC 9421 section 2.2.8 examples.
        ("var", "this%20is%20a%20big%0Amultiline%20value"),
        ("bar", "with%20plus%20whitespace"),
        ("fa%C3%A7ade%22%3A%20", "something"),
        ("qux", ""),
    ],
)
def test_rfc9421__query_params_are_re_encoded(name: str, expected: str) -> None:
    path = (
        "/parameters?var=this%20is%20a%20big%0Amultiline%20value&"
        "bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something&qux=&&"
    )
    assert value_of(("@query-param", {"name": name}), path) == expected


@pytest.mark.parametrize(
    ("component", "path", "reason"),
    [
        (("@query-param", {"name": "a"}), "/p?a=1&a=2", "missing or repeated"),
        (("@query-param", {"name": "b"}), "/p?a=1", "missing or repeated"),
        (("@query-param", {}), "/p?a=1", "exactly a name"),
        (("@query-param", {"name": "a", "x": 1}), "/p?a=1", "exactly a name"),
        (("@method", {"req": True}), "/p", "takes no parameters"),
        (("@nonsense", {}), "/p", "unknown derived component"),
        (("@status", {}), "/p", "only defined for responses"),
        (("example-dict", {"tr": True}), "/p", "unsupported parameters"),
        (("example-dict", {"bs": True, "sf": True}), "/p", "mixes bs"),
        (("example-dict", {"key": "z"}), "/p", "member 'z'"),
        (("example-header", {"sf": True}), "/p", "not a known structured field"),
        (("x-broken", {"key": "a"}), "/p", "not a known structured field"),
    ],
)
def test_rfc9421__explains_components_it_cannot_derive(
    component: tuple[str, dict[str, object]], path: str, reason: str
) -> None:
    with pytest.raises(MalformedSignatureError, match=reason):
        value_of(component, path)


@pytest.mark.parametrize("name", ["@method", "@path", "@query-param", "@authority"])
def test_rfc9421__request_components_are_undefined_on_responses(name: str) -> None:
    params: dict[str, object] = {"name": "a"} if name == "@query-param" else {}
    with pytest.raises(MalformedSignatureError, match="not defined for responses"):
        components.component_value((name, params), HttpMessage.response(200, {}))


def test_rfc9421__authority_needs_a_host_header() -> None:
    message = HttpMessage.request("GET", "/", {})
    with pytest.raises(MalformedSignatureError, match="Host"):
        components.component_value(("@authority", {}), message)


def test_rfc9421__refuses_a_non_ascii_signature_base() -> None:
    message = HttpMessage.request("GET", "/", {"X-Name": "Åsa"})
    with pytest.raises(MalformedSignatureError, match="non-ASCII"):
        rfc9421.sign_message(message, key=ED_KEY, key_id="k", components=["x-name"], created=NOW)


def test_content_digest__rfc9530_example_with_a_trailing_newline() -> None:
    body = b'{"hello": "world"}\n'
    check_content_digest("sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:", body)
    assert content_digest_header(body) == "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"


def test_content_digest__empty_content_matches_the_rfc9530_example() -> None:
    check_content_digest("sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:", b"")


@pytest.mark.parametrize(
    ("value", "error", "reason"),
    [
        ("md5=:AAAA:", DigestMismatchError, "offered: md5"),
        ("", DigestMismatchError, "offered: none"),
        ("sha-256=:AAAA:", DigestMismatchError, "sha-256 does not match"),
        ("sha-256=(", MalformedSignatureError, "structured dictionary"),
        ("sha-256=Åsa", MalformedSignatureError, "structured dictionary"),
        ("sha-256=1", MalformedSignatureError, "not a byte sequence"),
    ],
)
def test_content_digest__explains_what_is_wrong(
    value: str, error: type[Exception], reason: str
) -> None:
    with pytest.raises(error, match=reason):
        check_content_digest(value, BODY)
