"""A TLS front for `kfsync sandbox` in the wine run of .ci/windows-test: it terminates TLS with a
certificate for "localhost" signed by a throw-away test root, and pumps the bytes to the sandbox on
loopback. The Windows test then shows the library trusts that root only once it is in the Windows
certificate store. Prints the port it listens on, then serves until killed.

    python3 tls_proxy.py CERT.pem KEY.pem UPSTREAM_PORT
"""
import socket
import ssl
import sys
import threading

cert, key, upstream = sys.argv[1], sys.argv[2], int(sys.argv[3])
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(32)
print(listener.getsockname()[1], flush=True)


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def handle(client):
    try:
        tls = context.wrap_socket(client, server_side=True)
    except (ssl.SSLError, OSError):
        client.close()  # the client refused our certificate: that is the test's first half
        return
    sandbox = socket.create_connection(("127.0.0.1", upstream))
    threading.Thread(target=pump, args=(tls, sandbox), daemon=True).start()
    pump(sandbox, tls)


while True:
    conn, _ = listener.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
