"""run() and its Report; scenarios from Python, YAML text and files; errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import hubspec

ECHO = {
    "id": "py.echo-round-trip",
    "title": "Echo answers with its argument",
    "requires": ["MSG-040"],
    "methods": ["Echo"],
    "steps": [
        {"connect": {"as": "a"}},
        {"invoke": {"as": "a", "method": "Echo", "args": [42], "expect": 42}},
        {"invoke": {"as": "a", "method": "Echo", "args": [{"k": [1, 2.5, None]}], "expect": {"k": [1, 2.5, None]}}},
        {"stop": {"as": "a"}},
    ],
}

# Expects what the server does not do: Echo(1) answering 2. A MUST broken, so `fail`.
WRONG = {
    "id": "py.echo-wrong",
    "title": "A scenario that must fail",
    "requires": ["MSG-040"],
    "transports": ["websockets"],
    "protocols": ["json"],
    "steps": [{"connect": {}}, {"invoke": {"method": "Echo", "args": [1], "expect": 2}}],
}


def test_builtin_scenarios_load():
    suite = hubspec.builtin_scenarios()
    assert len(suite) > 20
    assert all(s["id"] and s["requires"] for s in suite)


def test_run_python_scenario_against_embedded_server():
    report = hubspec.run(scenarios=[ECHO])
    assert report.passed
    assert len(report.outcomes) == 6  # 3 transports × 2 protocols; SSE with MessagePack is skipped
    assert {c.outcome for c in report.outcomes} == {"pass", "skip"}
    skipped = report.cell("py.echo-round-trip", "serversentevents", "messagepack")
    assert skipped.outcome == "skip" and "SSE-009" in skipped.reason
    log = report.transcript("py.echo-round-trip", "websockets", "json")
    assert any(e.direction == "sent" and "\"Echo\"" in e.text for e in log)
    assert report.totals["pass"] == 5 and report.totals["skip"] == 1


def test_failure_names_requirement_and_raises():
    report = hubspec.run(scenarios=[WRONG])
    assert not report.passed
    cell = report.cell("py.echo-wrong")
    assert cell.outcome == "fail"
    assert cell.failure.requirement == "MSG-040" and cell.failure.requirement_text
    assert "2" in cell.failure.expected and "1" in cell.failure.seen
    with pytest.raises(hubspec.ConformanceFailure) as e:
        report.raise_for_failures()
    assert e.value.requirement == "MSG-040"


def test_scenario_class_and_yaml_text_agree():
    sc = hubspec.Scenario("py.hello", "HelloWorld answers", ["MSG-040"], transports=["websockets"])
    sc.step("connect").step("invoke", method="HelloWorld", expect="Hello World!")
    yaml_text = sc.to_yaml()
    a = hubspec.run(scenarios=sc, protocols=["json"])
    b = hubspec.run(scenarios=yaml_text, protocols=["json"])
    assert [c.outcome for c in a.outcomes] == [c.outcome for c in b.outcomes] == ["pass"]


def test_bytes_in_a_python_scenario():
    sc = hubspec.Scenario("py.binary", "Binary echoes as binary in MessagePack", ["MSG-040"],
                          transports=["websockets"], protocols=["messagepack"])
    sc.step("connect").step("invoke", method="Echo", args=[b"\x00\x01\xfe"], expect=b"\x00\x01\xfe")
    assert hubspec.run(scenarios=sc).passed


def test_report_json_and_files(tmp_path):
    report = hubspec.run(scenarios=[ECHO], transports=["websockets"])
    data = json.loads(report.to_json())
    assert data["schema"].startswith("hubspec-results/")
    report.write(tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["index.html", "junit.xml", "results.json",
                                                                    "summary.md"]
    html = report._repr_html_()
    assert "py.echo-round-trip" in html and "<table" in html
    assert "MSG-040" in report.coverage["scenarios_by_requirement"]
    assert report.coverage["scenarios_by_requirement"]["MSG-040"] == ["py.echo-round-trip"]


def test_filter_transports_protocols_and_progress():
    seen = []
    report = hubspec.run(filter="invocation.*", transports=["longpolling"], protocols=["messagepack"],
                         on_cell=lambda *cell: seen.append(cell))
    assert report.outcomes and all(c.scenario.startswith("invocation.") for c in report.outcomes)
    assert all(c.transport in ("longpolling", None) for c in report.outcomes)
    assert len(seen) == len(report.outcomes)
    assert report.passed, report.failures


def test_run_against_a_server_object():
    with hubspec.Server() as server:
        report = hubspec.run(server, scenarios=[ECHO], transports=["websockets"])
        assert report.target == server.url
        assert report.passed


def test_malformed_scenario_names_scenario_step_and_line():
    bad = {"id": "py.bad", "title": "t", "requires": ["MSG-040"], "steps": [{"connect": {}}, {"teleport": {}}]}
    with pytest.raises(hubspec.ScenarioError) as e:
        hubspec.run(scenarios=[bad])
    assert e.value.scenario == "py.bad" and e.value.step == 1
    assert "teleport" in str(e.value) and e.value.line is not None


def test_malformed_yaml_names_file_and_line(tmp_path):
    f = tmp_path / "broken.yaml"
    f.write_text("- id: x\n  title: t\n  requires: [MSG-040]\n  steps:\n    - nonsense: {}\n")
    with pytest.raises(hubspec.ScenarioError) as e:
        hubspec.load_scenarios(f)
    assert e.value.file.endswith("broken.yaml") and e.value.line == 5


def test_missing_requires_is_a_scenario_error():
    with pytest.raises(hubspec.ScenarioError, match="requires"):
        hubspec.from_python({"id": "x", "title": "t", "steps": [{"connect": {}}]})


def test_unreachable_target():
    with pytest.raises(hubspec.TargetUnreachable):
        hubspec.run("http://127.0.0.1:9/conformance", scenarios=[ECHO])


def test_proxy_fault_in_python():
    sc = {
        "id": "py.proxy-refuses-websockets",
        "title": "Through a proxy that refuses WebSockets the client falls back to another transport",
        "requires": ["NEG-030"],
        "once": True,
        "steps": [
            {"proxy": {"refuse_websockets": True}},
            {"connect": {"via_proxy": True, "transports": ["websockets", "serversentevents", "longpolling"]}},
            {"invoke": {"method": "GetActiveTransportName", "expect": {"$one_of": ["ServerSentEvents", "LongPolling"]}}},
        ],
    }
    report = hubspec.run(scenarios=[sc])
    assert report.passed, report.failures
    log = report.transcript("py.proxy-refuses-websockets")
    assert any(e.actor == "proxy" for e in log)


def test_python_scenario_matches_the_cli_on_the_same_yaml(tmp_path, hubspec_cli):
    """The same scenarios, written in Python and run by run(), and written as YAML and run by
    `hubspec run --scenarios DIR`, end with the same outcome in every cell."""
    scenarios = [ECHO, WRONG]
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "python.yaml").write_text(hubspec.to_yaml(scenarios))
    shutil.copy(hubspec.builtin_dir() / "requirements.yaml", suite / "requirements.yaml")
    out = tmp_path / "out"
    cli = subprocess.run([hubspec_cli, "run", "--scenarios", str(suite), "--out", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert cli.returncode == 1, cli.stdout + cli.stderr  # WRONG fails, on purpose
    from_cli = json.loads((out / "results.json").read_text())

    report = hubspec.run(scenarios=scenarios)
    assert not report.passed
    from_python = json.loads(report.to_json())

    def outcomes(results: dict) -> dict:
        return {(s["id"], c["transport"], c["protocol"]): (c["outcome"],
                                                           ((c.get("failure") or {}).get("requirement") or {}).get("id"))
                for s in results["scenarios"] for c in s["cells"]}

    assert outcomes(from_cli) == outcomes(from_python)
    assert outcomes(from_python)[("py.echo-wrong", "WebSockets", "json")][0] == "fail"


def test_fill_makes_exact_sizes_and_a_bad_count_is_an_error():
    sized = {
        "id": "py.fill",
        "title": "{fill:N} is N letters x",
        "requires": ["MSG-040"],
        "transports": ["websockets"],
        "protocols": ["json"],
        "steps": [
            {"connect": {}},
            {"invoke": {"method": "Echo", "args": ["{fill:5}"], "expect": "xxxxx"}},
            {"invoke": {"method": "Echo", "args": ["<{fill:3}>"], "expect": {"$length": 5}}},
        ],
    }
    assert hubspec.run(scenarios=[sized]).passed
    broken = dict(sized, id="py.fill-bad", steps=[{"connect": {}}, {"invoke": {"method": "Echo", "args": ["{fill:many}"]}}])
    cell = hubspec.run(scenarios=[broken]).cell("py.fill-bad")
    assert cell.outcome == "error" and "fill:many" in cell.reason


def test_profile_and_method_roles_reach_the_report():
    report = hubspec.run(filter="invocation.echo-returns-argument", transports=["websockets"], protocols=["json"])
    assert report.profile["name"] == "contract"
    assert 0 < report.profile["requirements_checked"] <= report.profile["requirements_total"]
    assert report.profile["summary"].startswith("profile contract")
    # the role Echo pointed at a method the reference hub lacks: the cell skips naming both, the profile says partial
    report = hubspec.run(filter="invocation.echo-returns-argument", transports=["websockets"], protocols=["json"],
                         methods={"echo": "HubspecMyEcho"})
    (cell,) = report.outcomes
    assert cell.outcome == "skip"
    assert "HubspecMyEcho (standing in for Echo)" in cell.reason
    assert report.profile["name"] == "partial"
    assert report.profile["missing_methods"] == ["Echo"]
    assert report.profile["method_roles"] == {"Echo": "HubspecMyEcho"}
    with pytest.raises(ValueError, match="not a method of the conformance hub contract"):
        hubspec.run(filter="invocation.hello-world", methods={"NoSuchRole": "X"})


def test_run_with_an_access_token_keeps_it_out_of_the_report():
    import urllib.request

    with hubspec.Server() as server:
        auth_url = server.origin + "/conformance-auth"
        with pytest.raises(hubspec.TargetUnauthorized, match="wants credentials"):
            hubspec.run(auth_url, scenarios=[ECHO], transports=["websockets"], timings=server.timings)
        token = urllib.request.urlopen(server.origin + "/token?user=py-notebook").read().decode()
        report = hubspec.run(auth_url, scenarios=[ECHO], transports=["websockets"], timings=server.timings,
                             access_token=token)
        assert report.passed, report.failures
        assert token not in report.to_json()


def test_run_over_tls_checks_the_certificate(tmp_path):
    import pathlib
    import subprocess

    make = pathlib.Path(__file__).resolve().parents[2] / "harness" / "tests" / "make_test_certificates.sh"
    subprocess.run([str(make), str(tmp_path)], check=True)
    with hubspec.Server(tls_cert=str(tmp_path / "server.pem"), tls_key=str(tmp_path / "server.key")) as server:
        assert server.url.startswith("https://")
        with pytest.raises(hubspec.TargetUnreachable, match="certificate is not accepted"):
            hubspec.run(server.url, scenarios=[ECHO], transports=["websockets"], timings=server.timings)
        report = hubspec.run(server.url, scenarios=[ECHO], timings=server.timings, ca_file=tmp_path / "ca.pem")
        assert report.passed, report.failures
        cells = report.cells("py.echo-round-trip")
        assert {c.transport for c in cells} == {"websockets", "serversentevents", "longpolling"}
        assert [c for c in cells if c.outcome != "pass"] == [report.cell("py.echo-round-trip", "serversentevents",
                                                                         "messagepack")]  # SSE is text only


def test_run_against_a_cluster_of_two_servers_on_redis(tmp_path):
    import shutil
    import socket
    import subprocess
    import time

    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "PING"], capture_output=True, text=True).stdout.strip() == "PONG":
                break
            time.sleep(0.1)
        with hubspec.Server(redis=f"127.0.0.1:{port}") as one, hubspec.Server(redis=f"127.0.0.1:{port}") as two:
            alone = hubspec.run(one, filter="scaleout.all-*", transports=["websockets"])
            assert {c.outcome for c in alone.cells("scaleout.all-reaches-every-node-once")} == {"skip"}
            report = hubspec.run(one, nodes=[two], filter="scaleout.*", transports=["websockets"])
            assert report.passed, report.failures
            assert {c.outcome for c in report.cells("scaleout.group-members-on-both-nodes")} == {"pass"}
    finally:
        redis.terminate()
        redis.wait()
