"""Fixtures for fathom-serve's tests: an index built by fathom-index from a
generated corpus, and servers started on free loopback ports.

The programs come from the build (ctest sets FATHOM_SERVE_BIN,
FATHOM_INDEX_BIN, FATHOM_SEARCH_BIN); a missing one fails the tests."""
import http.client
import json
import os
import random
import signal
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

TOKEN = "test-token-0123456789abcdef"


def program(name):
    path = os.environ.get(name)
    assert path and Path(path).exists(), f"{name} must name the built program (run through ctest)"
    return path


SERVE = program("FATHOM_SERVE_BIN")
INDEX = program("FATHOM_INDEX_BIN")
SEARCH = program("FATHOM_SEARCH_BIN")

WORDS = ("river harbor lantern meadow copper violin glacier orchard ember falcon "
         "quartz saddle thunder willow canyon marble pepper summit tunnel velvet").split()


def corpus_lines():
    """300 documents over a small vocabulary, so that queries match many;
    one near-duplicate pair; ids and titles that need escaping."""
    rng = random.Random(20261205)
    lines = []
    for i in range(300):
        body = " ".join(rng.choice(WORDS) for _ in range(40 + rng.randrange(40)))
        lines.append({"id": f"doc-{i}", "title": f"{WORDS[i % 20].title()} notes {i}",
                      "body": body})
    shared = " ".join(rng.choice(WORDS) for _ in range(200))
    lines.append({"id": "copy-a", "title": "Zeppelin log", "body": "zeppelin " + shared})
    lines.append({"id": "copy-b", "title": "Zeppelin log again", "body": "zeppelin " + shared + " end"})
    lines.append({"id": "folder/with space/é?&#.txt", "title": "<script>window.injected=1</script> odd id",
                  "body": "aardvark lives in <b>markup</b> & other odd text"})
    return lines


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    write_jsonl(root / "corpus.jsonl", corpus_lines())
    subprocess.run([INDEX, str(root / "corpus.jsonl"), str(root / "idx"), "-q"], check=True)
    return root / "idx"


class Server:
    """A running fathom-serve; .request() sends one HTTP request."""

    def __init__(self, index, *args):
        self.process = subprocess.Popen([SERVE, str(index), "--port", "0", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert "at http://127.0.0.1:" in line, (line, self.process.stderr.read())
        self.port = int(line.split("at http://127.0.0.1:")[1].split("/")[0])
        self.base = f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, headers=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheader("Content-Type", ""), response.read()
        finally:
            connection.close()

    def json(self, method, path, body=None, headers=None):
        status, _, data = self.request(method, path, body, headers)
        return status, json.loads(data)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise
        return self.process.returncode


@pytest.fixture()
def start_server():
    servers = []

    def start(index, *args):
        server = Server(index, *args)
        servers.append(server)
        return server

    yield start
    # Every server shuts down cleanly on SIGTERM (in sanitizer builds: with
    # no leak and no race reported, which would make the exit status 1).
    for server in servers:
        code = server.stop()
        assert code == 0, f"fathom-serve exited with {code}: {server.process.stderr.read()[-4000:]}"


@pytest.fixture()
def token_file(tmp_path):
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    return path


def quote(text):
    return urllib.parse.quote(text, safe="")


def wait_until(predicate, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
