"""The calibrated decision table: each row, on the failures issue 14 measured."""

from __future__ import annotations

from claudedex.domain import Finding, Severity, Verdict
from claudedex.safety.decision import Facts, calibrate, score
from claudedex.safety.verdict import decide

OWNER = "0x" + "ab" * 20
HIDDEN = "0x" + "cd" * 20
ZERO = "0x" + "00" * 20


def _send_lie(amount: int, sender_delta: int, receiver_delta: int) -> Finding:
    return Finding("LYING_BALANCE", Severity.CRITICAL, "sending lowered the balance by less", {
        "amount": str(amount), "sender_delta": str(sender_delta),
        "receiver_delta": str(receiver_delta)})


def _block(caller: str = OWNER, function: str = "setBlocked(address,bool)") -> Finding:
    return Finding("OWNER_CAN_BLOCK_SELLS", Severity.CRITICAL, "selling then fails",
                   {"caller": caller, "function": function, "role": "owner"})


def _verdict(findings: list[Finding], facts: Facts) -> Verdict:
    return decide(calibrate(findings, facts))


def test_reflection_sender_getting_part_of_the_fee_back_is_not_a_lie() -> None:
    # 2 % fee, the sender gets 0.017 % of the amount back as its share of the reflection
    amount = 10**21
    found = [_send_lie(amount, amount - amount * 17 // 100_000, amount * 98 // 100 + 10**15)]
    out = calibrate(found, Facts(frozenset({"LYING_BALANCE"}), OWNER, (200,)))
    assert out[0].code == "BALANCE_COMPUTED" and out[0].severity is Severity.LOW
    assert out[0].evidence["was"] == "LYING_BALANCE" and out[0].evidence["rule"]
    assert decide(out) is Verdict.SAFE


def test_rounding_by_a_few_wei_is_info() -> None:
    out = calibrate([_send_lie(10**20, 10**20 - 2, 10**20)])
    assert out[0].code == "BALANCE_ROUNDING" and out[0].severity is Severity.INFO


def test_a_gap_beyond_the_fee_stays_a_lie() -> None:
    amount = 10**21
    # no fee at all (the receiver got everything) yet the sender lost only half
    out = calibrate([_send_lie(amount, amount // 2, amount)])
    assert out[0].code == "LYING_BALANCE" and decide(out) is Verdict.SCAM
    # the balance fell by more than was sent: not a computed balance either
    assert decide(calibrate([_send_lie(amount, amount * 2, amount)])) is Verdict.SCAM


def test_a_lie_without_transfer_evidence_stays_critical() -> None:
    lie = Finding("LYING_BALANCE", Severity.CRITICAL, "bought more than left the pair", {})
    assert decide(calibrate([lie])) is Verdict.SCAM


def test_live_owner_blacklist_with_burned_lp_and_no_tax_is_risky() -> None:
    found = [_block(), Finding("LP_BURNED", Severity.INFO, "burned", {})]
    out = calibrate(found, Facts(frozenset(f.code for f in found), OWNER, (0, 0)))
    assert out[0].severity is Severity.HIGH and out[0].evidence["rule"] == "live_owner_can_block"
    assert decide(out) is Verdict.RISKY


def test_blocking_power_with_pullable_lp_is_scam() -> None:
    found = [_block(), Finding("LP_UNLOCKED", Severity.HIGH, "owner holds LP", {})]
    assert _verdict(found, Facts(frozenset(f.code for f in found), OWNER)) is Verdict.SCAM


def test_blocking_power_with_a_high_tax_is_scam() -> None:
    facts = Facts(frozenset({"OWNER_CAN_BLOCK_SELLS"}), OWNER, (300, 1500))
    assert _verdict([_block()], facts) is Verdict.SCAM
    below = Facts(frozenset({"OWNER_CAN_BLOCK_SELLS"}), OWNER, (300, 1499))
    assert _verdict([_block()], below) is Verdict.RISKY
    by_finding = Facts(frozenset({"OWNER_CAN_BLOCK_SELLS", "HIGH_SELL_TAX"}), OWNER)
    assert _verdict([_block()], by_finding) is Verdict.SCAM


def test_blocking_power_held_behind_a_renounce_is_scam() -> None:
    renounced = Facts(frozenset({"OWNER_CAN_BLOCK_SELLS"}), ZERO)
    assert _verdict([_block(HIDDEN)], renounced) is Verdict.SCAM
    other = Facts(frozenset({"OWNER_CAN_BLOCK_SELLS"}), OWNER)
    assert _verdict([_block(HIDDEN)], other) is Verdict.SCAM


def test_blocking_by_upgrading_the_code_is_scam() -> None:
    facts = Facts(frozenset({"OWNER_CAN_BLOCK_TRADING"}), OWNER)
    assert _verdict([_block(function="upgradeTo(address)")], facts) is Verdict.SCAM


def test_thirty_second_cooldown_is_risky_with_its_duration() -> None:
    cooldown = Finding("SELL_COOLDOWN", Severity.CRITICAL, "selling reverts right after buying",
                       {"duration_s": "30"})
    out = calibrate([cooldown])
    assert out[0].severity is Severity.HIGH and "30 s" in out[0].detail
    assert decide(out) is Verdict.RISKY


def test_decaying_launch_tax_is_risky_unless_it_starts_extreme() -> None:
    decay = Finding("LAUNCH_TAX_DECAYS", Severity.HIGH, "falls below 15 % by +1h",
                    {"duration_s": "3600"})
    moderate = Facts(frozenset({"LAUNCH_TAX_DECAYS"}), None, (2500,))
    out = calibrate([decay], moderate)
    assert out[0].severity is Severity.HIGH and "3600 s" in out[0].detail
    assert decide(calibrate([decay], Facts(frozenset(), None, (9000,)))) is Verdict.SCAM
    quick = Finding("LAUNCH_TAX_DECAYS", Severity.HIGH, "falls", {"duration_s": "300"})
    assert decide(calibrate([quick], Facts(frozenset(), None, (9000,)))) is Verdict.RISKY


def test_week_long_or_unbounded_cooldown_stays_scam() -> None:
    week = Finding("SELL_COOLDOWN", Severity.CRITICAL, "days", {"duration_s": str(7 * 86400)})
    unknown = Finding("SELL_COOLDOWN", Severity.CRITICAL, "days later", {})
    assert decide(calibrate([week])) is Verdict.SCAM
    assert decide(calibrate([unknown])) is Verdict.SCAM


def test_findings_no_row_names_keep_their_severity() -> None:
    found = [Finding("HONEYPOT", Severity.CRITICAL, "x", {}),
             Finding("TRANSFER_TAX", Severity.LOW, "y", {})]
    assert calibrate(found) == found


def test_score_is_100_clean_0_with_a_critical_and_falls_with_severity() -> None:
    info = Finding("ROUND_TRIP", Severity.INFO, "", {})
    high = Finding("LP_UNLOCKED", Severity.HIGH, "", {})
    assert score([info]) == 100 and score([]) == 100
    assert score([high]) == 60 and score([high, high]) == 36
    assert score([info, Finding("HONEYPOT", Severity.CRITICAL, "", {})]) == 0
    assert 0 <= score([Finding("X", Severity.MEDIUM, "", {})] * 40) < 100


def test_report_json_carries_score_and_reasons_and_keeps_findings() -> None:
    from claudedex.domain import RiskReport
    from claudedex.safety.report_json import report_from_json, report_to_json

    found = (Finding("LP_UNLOCKED", Severity.HIGH, "owner holds LP", {"holder": OWNER}),
             Finding("ROUND_TRIP", Severity.INFO, "simulated", {}))
    report = RiskReport(token=OWNER, pair=HIDDEN, verdict=Verdict.RISKY, findings=found,
                        buy_tax_bps=0, sell_tax_bps=0)
    line = report_to_json(report)
    assert line["score"] == 60
    assert line["reasons"] == [{"code": "LP_UNLOCKED", "severity": "high",
                                "detail": "owner holds LP"}]
    assert [f["code"] for f in line["findings"]] == ["LP_UNLOCKED", "ROUND_TRIP"]
    assert report_from_json(line) == report
    unknown = RiskReport(token=OWNER, pair="", verdict=Verdict.UNKNOWN, findings=())
    assert report_to_json(unknown)["score"] == 0
