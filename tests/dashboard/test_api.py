"""The dashboard's JSON API and its guards (token, same-origin, JSON only, body size, Host)."""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest
from fastapi.testclient import TestClient

from harness.dashboard import db as rdb
from harness.dashboard.server import MAX_BODY, create_app, host_names, is_loopback, serve
from tests.dashboard.helpers import TOKEN, LiveServer, make_run

AUTH = {"X-FMAgent-Token": TOKEN}
JSON = {**AUTH, "Content-Type": "application/json"}


@pytest.fixture
def run(tmp_path):
    return make_run(tmp_path / "run")


@pytest.fixture
def client(run):
    return TestClient(create_app(run, TOKEN))


def q(run, sql):
    conn = sqlite3.connect(run / "programs.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_page_is_served_without_token_but_data_needs_it(client):
    r = client.get("/")
    assert r.status_code == 200 and "app.js" in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/..%2Fserver.py").status_code == 404
    assert client.get("/api/overview").status_code == 401
    assert client.get("/api/overview", headers={"X-FMAgent-Token": "wrong"}).status_code == 401
    ov = client.get("/api/overview", headers=AUTH).json()
    assert ov["evaluations"] == 6 and ov["valid"] == 5 and ov["islands"] == 2
    assert ov["best"]["fitness"] == 3.0 and ov["task"] == "toy/fit5"


def test_series_programs_and_program_view(client):
    s = client.get("/api/series", headers=AUTH).json()
    assert [p["seq"] for p in s["programs"]] == list(range(1, 7))
    assert len(s["stats"]) == 2 and s["events"][0]["kind"] == "new_best"
    assert client.get("/api/series?since_program=4", headers=AUTH).json()["programs"][0]["seq"] == 5
    progs = client.get("/api/programs?island=0&sort=fitness&desc=true", headers=AUTH).json()
    assert progs["total"] == 3 and [p["fitness"] for p in progs["programs"]] == [3.0, 2.0, 1.0]
    inval = client.get("/api/programs?valid=false", headers=AUTH).json()
    assert inval["total"] == 1 and inval["programs"][0]["error"].startswith("boom")
    assert client.get("/api/programs?sort=code", headers=AUTH).status_code == 400
    best = progs["programs"][0]["id"]
    pv = client.get(f"/api/programs/{best}", headers=AUTH).json()
    assert pv["code"] and pv["parent_id"] and len(pv["lineage"]) == 3
    assert pv["diff"].startswith("--- parent")
    assert "+    return [1.0, 1.0, 1.0, 2.0, 0.5]" in pv["diff"]
    assert pv["result"]["metrics"]["score"] == -3.0 and pv["result"]["feedback"] == "fb 0/2"
    assert client.get("/api/programs/nope", headers=AUTH).status_code == 404


def test_instruction_is_stored_shown_and_marked_on_the_timeline(client, run):
    r = client.post("/api/instructions", headers=JSON, json={"text": "use a lattice", "island": 1})
    assert r.status_code == 200, r.text
    assert q(run, "SELECT island, text, source, active FROM instructions") == \
        [(1, "use a lattice", "dashboard", 1)]
    ev = q(run, "SELECT kind, island, data, n_evals FROM events WHERE kind='instruction'")
    assert ev[0][1] == 1 and json.loads(ev[0][2])["text"] == "use a lattice" and ev[0][3] == 6
    assert client.get("/api/instructions", headers=AUTH).json()[0]["text"] == "use a lattice"
    seq = r.json()["seq"]
    r = client.post(f"/api/instructions/{seq}", headers=JSON, json={"active": False})
    assert r.status_code == 200
    assert q(run, "SELECT active FROM instructions") == [(0,)]
    bad = client.post("/api/instructions", headers=JSON, json={"text": "x", "island": 7})
    assert bad.status_code == 400 and "islands 0..1" in bad.json()["detail"]
    assert client.post("/api/instructions", headers=JSON, json={"text": ""}).status_code == 422
    assert client.post("/api/instructions", headers=JSON,
                       json={"text": "x", "extra": 1}).status_code == 422


def test_code_intervention_is_queued_never_run(client, run, tmp_path):
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').write('x')\ndef run():\n    return [0, 0, 0, 0, 0]\n"
    r = client.post("/api/inject", headers=JSON, json={"code": code, "island": 1})
    assert r.status_code == 200
    rows = q(run, "SELECT kind, island, payload, taken FROM inbox")
    assert rows[0][:2] == ("inject", 1) and rows[0][3] == 0
    assert json.loads(rows[0][2])["code"] == code
    assert not marker.exists()  # stored for the controller's sandbox, not executed here
    assert client.get("/api/inbox", headers=AUTH).json()[0]["chars"] == len(code)
    assert q(run, "SELECT COUNT(*) FROM programs") == [(6,)]  # the controller stays the writer


@pytest.mark.parametrize("headers,status", [
    ({"Content-Type": "application/json"}, 401),  # no token
    ({**JSON, "Origin": "http://evil.example"}, 403),  # cross-site by Origin
    ({**JSON, "Origin": "null"}, 403),
    ({**JSON, "Sec-Fetch-Site": "cross-site"}, 403),
    ({**AUTH, "Content-Type": "text/plain"}, 415),  # a "simple" cross-site form post
    ({**AUTH, "Content-Type": "application/x-www-form-urlencoded"}, 415),
])
def test_changes_refused_without_token_or_cross_site(client, run, headers, status):
    for path, body in (("/api/instructions", {"text": "hi"}), ("/api/inject", {"code": "x=1"}),
                       ("/api/knowledge", {"name": "a.md", "text": "# A\nb"}),
                       ("/api/knowledge/retrieve", {"query": "a"})):
        r = client.post(path, headers=headers, content=json.dumps(body))
        assert r.status_code == status, (path, r.text)
    assert q(run, "SELECT COUNT(*) FROM instructions") == [(0,)]
    assert q(run, "SELECT COUNT(*) FROM inbox") == [(0,)]


def test_same_origin_post_accepted(client):
    h = {**JSON, "Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/instructions", headers=h, json={"text": "ok"}).status_code == 200


def test_oversized_body_refused(client, run):
    big = json.dumps({"code": "x" * (MAX_BODY + 10)})
    r = client.post("/api/inject", headers=JSON, content=big)
    assert r.status_code == 413
    assert q(run, "SELECT COUNT(*) FROM inbox") == [(0,)]


def test_wrong_host_refused(run):
    c = TestClient(create_app(run, TOKEN, allowed_hosts=host_names("127.0.0.1", 8765)),
                   base_url="http://127.0.0.1:8765")
    assert c.get("/api/overview", headers=AUTH).status_code == 200
    assert c.get("/", headers={"Host": "attacker.example:8765"}).status_code == 421
    assert "localhost:8765" in host_names("127.0.0.1", 8765)


def test_live_server_guards(run):
    """Against a real uvicorn: a streamed (chunked) oversized body is cut off as it arrives."""
    with LiveServer(run) as srv:
        assert httpx.get(srv.url + "/api/overview").status_code == 401
        assert httpx.get(srv.url + "/api/overview", headers=AUTH).json()["evaluations"] == 6

        def chunks():
            for _ in range(40):
                yield b"x" * 16384

        try:
            r = httpx.post(srv.url + "/api/inject", headers=JSON, content=chunks())
            assert r.status_code == 413
        except (httpx.WriteError, httpx.RemoteProtocolError):
            pass  # the server answered 413 and closed while the client was still sending
        r = httpx.post(srv.url + "/api/inject", headers={**JSON, "Origin": "http://evil.example"},
                       json={"code": "x = 1"})
        assert r.status_code == 403
        r = httpx.post(srv.url + "/api/inject", headers=JSON, json={"code": "x = 1", "island": 0})
        assert r.status_code == 200
        r = httpx.get(srv.url + "/", headers={"Host": "evil.example"})
        assert r.status_code == 421
    assert q(run, "SELECT COUNT(*) FROM inbox") == [(1,)]


def test_non_loopback_needs_token(run):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    with pytest.raises(rdb.RunDirError, match="--token"):
        serve(run, host="0.0.0.0", port=0, token=None)


def test_not_a_run_dir(tmp_path):
    with pytest.raises(rdb.RunDirError, match="not a run directory"):
        create_app(tmp_path, TOKEN)


def test_dashboard_reads_without_manifest(tmp_path):
    run = make_run(tmp_path / "r", islands=3, series={0: [1.0], 2: [2.0]}, manifest=False)
    c = TestClient(create_app(run, TOKEN))
    ov = c.get("/api/overview", headers=AUTH).json()
    assert ov["islands"] == 3 and ov["task"] is None
