"""fathom-serve's endpoints, limits and errors, its reloads and its
shutdown, checked against a server started on a free loopback port."""
import json
import shutil
import signal
import socket
import subprocess
import threading
import time

from conftest import INDEX, SEARCH, TOKEN, quote, wait_until, write_jsonl


def without_time(answer):
    answer = dict(answer)
    answer.pop("milliseconds")
    return answer


def test_search_answers_as_fathom_search_json(index_dir, start_server):
    server = start_server(index_dir)
    for query in ["river harbor", "+copper +violin", "\"thunder willow\"", "zeppelin", "aardvark"]:
        status, answer = server.json("GET", "/search?q=" + quote(query) + "&explain=true")
        assert status == 200, answer
        expected = json.loads(subprocess.run(
            [SEARCH, str(index_dir), "--format", "json", "--explain", query],
            check=True, capture_output=True, text=True).stdout)
        assert without_time(answer) == without_time(expected), query
    # The near-duplicate pair is folded under the better hit.
    status, answer = server.json("GET", "/search?q=zeppelin")
    assert len(answer["hits"]) == 1 and len(answer["hits"][0]["near_duplicates"]) == 1
    status, answer = server.json("GET", "/search?q=zeppelin&fold=false")
    assert len(answer["hits"]) == 2


def test_post_search_paging_and_counting(index_dir, start_server):
    server = start_server(index_dir)
    status, first = server.json("POST", "/search", json.dumps({"q": "river", "k": 10}))
    assert status == 200 and [hit["rank"] for hit in first["hits"]] == list(range(1, 11))
    status, both = server.json("GET", "/search?q=river&k=20")
    status, second = server.json("GET", "/search?q=river&k=10&offset=10")
    assert [hit["rank"] for hit in second["hits"]] == list(range(11, 21))
    assert [h["id"] for h in first["hits"] + second["hits"]] == [h["id"] for h in both["hits"]]
    assert first["matches_exact"] and first["matches"] > 100
    status, counted = server.json("GET", "/search?q=river&snippets=false")
    assert "snippet" not in counted["hits"][0]


def test_batch_answers_every_good_line_and_reports_the_bad(index_dir, start_server):
    server = start_server(index_dir)
    body = "\n".join([
        json.dumps({"qid": "1", "q": "river"}),
        "{not json",
        json.dumps({"qid": "2", "q": "(river"}),
        json.dumps({"qid": "3", "q": "copper violin", "k": 3}),
        json.dumps({"qid": "4"}),
    ]) + "\n"
    status, content_type, data = server.request("POST", "/search/batch", body)
    assert status == 200 and content_type == "application/x-ndjson"
    lines = [json.loads(line) for line in data.decode().splitlines()]
    assert [line.get("qid") for line in lines] == ["1", None, "2", "3", "4"]
    assert len(lines[0]["hits"]) == 10 and len(lines[3]["hits"]) == 3
    assert lines[1]["line"] == 2 and "error" in lines[1]
    assert "query: column" in lines[2]["error"]
    assert "'q'" in lines[4]["error"]
    # An empty batch is a mistake, said as one.
    status, error = server.json("POST", "/search/batch", "\n \n")
    assert status == 400 and "no queries" in error["error"]


def test_documents_stats_suggest_health(index_dir, start_server):
    server = start_server(index_dir)
    status, document = server.json("GET", "/documents/doc-7")
    assert status == 200 and document["id"] == "doc-7" and document["body"]
    odd = "folder/with space/é?&#.txt"
    status, document = server.json("GET", "/documents/" + quote(odd))
    assert status == 200 and document["id"] == odd
    status, error = server.json("GET", "/documents/no-such-id")
    assert status == 404 and "no-such-id" in error["error"]
    status, stats = server.json("GET", "/stats")
    assert stats["documents"] == 303 and stats["segments"] == 1 and not stats["writes"]
    status, suggestion = server.json("GET", "/suggest?q=rivr+harbor")
    assert status == 200 and suggestion["did_you_mean"] == "river harbor"
    status, health = server.json("GET", "/health")
    assert health == {"status": "ok", "generation": stats["generation"]}
    status, content_type, page = server.request("GET", "/")
    assert status == 200 and content_type.startswith("text/html") and b"<form" in page


def test_bad_requests_get_a_4xx_and_a_json_error(index_dir, start_server):
    server = start_server(index_dir, "--max-k", "50")
    for path, expected in [
        ("/search", 400),                          # no query
        ("/search?q=", 400),
        ("/search?q=river&k=0", 400),
        ("/search?q=river&k=51", 400),             # over --max-k
        ("/search?q=river&k=ten", 400),
        ("/search?q=river&offset=-1", 400),
        ("/search?q=river&colour=red", 400),       # unknown parameter
        ("/search?q=river&sort=date", 400),        # never silently ignored
        ("/search?q=river&explain=maybe", 400),
        ("/search?q=%zz", 400),                    # bad escape
        ("/search?q=" + quote("(river"), 400),      # query syntax
        ("/search?q=" + "a" * 5000, 400),          # query too long
        ("/nowhere", 404),
    ]:
        status, error = server.json("GET", path)
        assert status == expected, (path, error)
        assert error["status"] == expected and error["error"], path
    status, error = server.json("DELETE", "/search?q=river")
    assert status == 405
    status, error = server.json("POST", "/search", "{\"q\": ")
    assert status == 400 and "column" in error["error"]
    # Malformed HTTP: 400, and the connection is closed.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(b"NOT A REQUEST\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 400")


def test_writes_need_the_flag_and_the_token(index_dir, start_server, token_file, tmp_path):
    read_only = start_server(index_dir)
    status, error = read_only.json("POST", "/documents", json.dumps({"id": "x", "body": "y"}))
    assert status == 403 and "--allow-writes" in error["error"]
    assert read_only.json("DELETE", "/documents/doc-1")[0] == 403
    assert read_only.json("POST", "/merge")[0] == 403

    index = tmp_path / "writable"
    shutil.copytree(index_dir, index)
    server = start_server(index, "--allow-writes", "--token-file", str(token_file))
    new = json.dumps({"id": "new-1", "title": "Okapi", "body": "okapi grazing"}) + "\n"
    status, content_type, _ = server.request("POST", "/documents", new)
    assert status == 401
    assert server.json("POST", "/documents", new, {"Authorization": "Bearer wrong-token-xxxxxxxx"})[0] == 403
    assert server.json("POST", "/documents", new, {"Authorization": "Basic " + TOKEN})[0] == 401
    auth = {"Authorization": "Bearer " + TOKEN}
    # One bad line: nothing is added.
    status, error = server.json("POST", "/documents", new + "{\"title\": \"no id\"}\n", auth)
    assert status == 400 and "line 2" in error["error"]
    assert server.json("GET", "/search?q=okapi")[1]["matches"] == 0
    status, added = server.json("POST", "/documents", new, auth)
    assert status == 200 and added["added"] == 1
    assert [h["id"] for h in server.json("GET", "/search?q=okapi")[1]["hits"]] == ["new-1"]
    # Typed fields are kept: filtered on, shown; arrays are refused, not dropped;
    # a value that clashes with the index's type is a conflict.
    typed = json.dumps({"id": "new-2", "body": "okapi herd", "year": 2011, "kind": "mammal"}) + "\n"
    assert server.json("POST", "/documents", typed, auth)[0] == 200
    status, found = server.json("GET", "/search?q=" + quote("okapi +year:[2010 TO 2012]"))
    assert status == 200 and [h["id"] for h in found["hits"]] == ["new-2"]
    assert found["hits"][0]["fields"]["kind"] == "mammal"
    assert server.json("GET", "/documents/new-2")[1]["fields"] == {"year": 2011, "kind": "mammal"}
    listed = json.dumps({"id": "new-3", "body": "okapi", "tags": ["a", "b"]}) + "\n"
    status, error = server.json("POST", "/documents", listed, auth)
    assert status == 400 and "'tags'" in error["error"]
    clash = json.dumps({"id": "new-4", "body": "okapi", "year": "recent"}) + "\n"
    status, error = server.json("POST", "/documents", clash, auth)
    assert status == 409 and "'year'" in error["error"]
    assert server.json("GET", "/search?q=okapi")[1]["matches"] == 2
    status, deleted = server.json("DELETE", "/documents/doc-3", headers=auth)
    assert status == 200 and deleted["deleted"] == 1
    assert server.json("GET", "/documents/doc-3")[0] == 404
    assert server.json("DELETE", "/documents/doc-3", headers=auth)[0] == 404
    status, stats = server.json("POST", "/merge", headers=auth)
    assert status == 200 and stats["segments"] == 1 and stats["deleted"] == 0
    assert stats["documents"] == 304
    assert subprocess.run([INDEX, "check", str(index)], capture_output=True).returncode == 0


def test_oversized_bodies_get_413(index_dir, start_server):
    server = start_server(index_dir, "--max-body", "1000")
    status, error = server.json("POST", "/search/batch", "x" * 5000)
    assert status == 413 and "1000 bytes" in error["error"]
    # Announced with Expect: 100-continue, refused before the body is sent.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(b"POST /search/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                    b"Expect: 100-continue\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 413")


def test_idle_and_slow_clients_are_disconnected(index_dir, start_server):
    server = start_server(index_dir, "--idle-timeout-ms", "500")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as idle:
        start = time.monotonic()
        assert idle.recv(100) == b""
        assert time.monotonic() - start < 5
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as slow:
        slow.sendall(b"GET /search?q=river HTTP/1.1\r\nHost: x\r\n")
        start = time.monotonic()
        time.sleep(0.2)
        slow.sendall(b"X-Slow: 1\r\n")  # still no end of the headers
        assert slow.recv(100) == b""
        assert time.monotonic() - start < 5
    # The server is not hurt by either.
    assert server.json("GET", "/health")[0] == 200


def test_reload_during_a_query_stream_fails_no_request(index_dir, start_server, tmp_path):
    index = tmp_path / "changing"
    shutil.copytree(index_dir, index)
    server = start_server(index, "--threads", "2")
    failures, answered = [], [0]
    stop = threading.Event()

    def stream():
        while not stop.is_set():
            try:
                status, answer = server.json("GET", "/search?q=river+harbor&k=5")
                if status != 200 or not answer["hits"]:
                    failures.append((status, answer))
                answered[0] += 1
            except Exception as e:  # noqa: BLE001: every failure counts
                failures.append(repr(e))

    threads = [threading.Thread(target=stream) for _ in range(4)]
    for thread in threads:
        thread.start()
    generation = server.json("GET", "/health")[1]["generation"]
    for round_number in range(3):
        write_jsonl(tmp_path / f"more{round_number}.jsonl",
                    [{"id": f"late-{round_number}", "body": f"river harbor newword{round_number}"}])
        subprocess.run([INDEX, "add", str(index), str(tmp_path / f"more{round_number}.jsonl"), "-q"],
                       check=True)
        assert wait_until(lambda n=round_number: server.json(
            "GET", f"/search?q=newword{n}")[1]["matches"] == 1), round_number
    subprocess.run([INDEX, "merge", str(index)], check=True, capture_output=True)
    assert wait_until(lambda: server.json("GET", "/stats")[1]["segments"] == 1)
    stop.set()
    for thread in threads:
        thread.join()
    assert failures == []
    assert answered[0] > 20
    assert server.json("GET", "/health")[1]["generation"] > generation


def test_sigterm_during_load_answers_what_is_in_flight(index_dir, start_server):
    server = start_server(index_dir, "--threads", "2")
    batch = "\n".join(json.dumps({"qid": str(i), "q": "river harbor copper", "k": 100})
                      for i in range(3000)) + "\n"
    results = {}

    def long_batch():
        results["batch"] = server.request("POST", "/search/batch", batch, timeout=120)

    load_errors, load_answers = [], [0]
    stop = threading.Event()

    def load():
        while not stop.is_set():
            try:
                status, _, data = server.request("GET", "/search?q=violin")
                if status == 200:
                    json.loads(data)  # a whole answer, never a cut one
                    load_answers[0] += 1
                else:
                    load_errors.append(status)
            except (ConnectionError, OSError):
                # Refused or closed before a request was read: once the
                # server stops listening, new requests are not taken.
                pass

    batch_thread = threading.Thread(target=long_batch)
    batch_thread.start()
    loaders = [threading.Thread(target=load) for _ in range(3)]
    for loader in loaders:
        loader.start()
    time.sleep(0.3)
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=120) == 0
    stop.set()
    batch_thread.join()
    for loader in loaders:
        loader.join()
    status, _, data = results["batch"]
    assert status == 200
    assert len(data.decode().splitlines()) == 3000  # the request in flight was answered whole
    assert load_errors == [] and load_answers[0] > 0
