"""Pure safety logic: bytecode walking, verdict folding, report JSON round trip."""

from __future__ import annotations

import json

from claudedex.domain import Finding, RiskReport, Severity, Verdict
from claudedex.safety.bytecode import OP_DELEGATECALL, OP_SELFDESTRUCT, analyze_code
from claudedex.safety.report_json import report_from_json, report_to_json
from claudedex.safety.signatures import STANDARD, generic_variants, selector, typed_variants
from claudedex.safety.verdict import decide, sort_findings


def test_dispatcher_selectors_and_opcodes() -> None:
    sel_a, sel_b = bytes.fromhex("a9059cbb"), bytes.fromhex("12345678")
    addr = bytes.fromhex("5fbdb2315678afecb367f032d93f642f64180aa3")
    code = (
        b"\x80\x63" + sel_a + b"\x14\x61\x00\x10\x57"  # DUP1 PUSH4 a EQ PUSH2 JUMPI
        + b"\x80\x63" + sel_b + b"\x11\x61\x00\x20\x57"  # pivot compared with GT: not a function
        + b"\x73" + addr  # PUSH20 an address constant
        + b"\x7f" + b"\xff" * 32  # PUSH32 whose data contains 0xff: not a SELFDESTRUCT
        + b"\xf4"  # DELEGATECALL
    )
    facts = analyze_code(code)
    assert facts.selectors == ("0xa9059cbb",)
    assert OP_DELEGATECALL in facts.opcodes and OP_SELFDESTRUCT not in facts.opcodes
    assert facts.embedded_addresses == ("0x" + addr.hex(),)


def test_verdict_by_worst_severity() -> None:
    low = Finding("A", Severity.LOW, "a")
    high = Finding("B", Severity.HIGH, "b")
    crit = Finding("C", Severity.CRITICAL, "c")
    assert decide([low]) is Verdict.SAFE
    assert decide([low, high]) is Verdict.RISKY
    assert decide([high, crit]) is Verdict.SCAM
    assert [f.code for f in sort_findings([low, crit, high])] == ["C", "B", "A"]


def test_report_json_round_trip_keeps_untrusted_text_inert() -> None:
    report = RiskReport(token="0x" + "1" * 40, pair="0x" + "2" * 40, verdict=Verdict.SCAM,
                        findings=(Finding("HONEYPOT", Severity.CRITICAL, "sym \x1b[2J[red]x",
                                          {"k": "v"}),),
                        buy_tax_bps=0, sell_tax_bps=None, liquidity_quote=10**30,
                        block_number=5, elapsed_ms=1.5)
    line = json.dumps(report_to_json(report))
    assert "\x1b" not in line  # escaped by JSON
    assert report_from_json(json.loads(line)) == report


def test_signature_tables() -> None:
    assert selector("transfer(address,uint256)") in STANDARD
    assert len(typed_variants(["uint256", "uint256"], "0x" + "3" * 40)) == 3
    assert len(typed_variants(["address[]", "bool"], "0x" + "3" * 40)) == 2
    assert b"" in generic_variants("0x" + "3" * 40)
