"""The one feature definition: documented, fixed-length, and refusing look-ahead."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from claudedex.domain import Finding, RiskReport, Severity, Verdict
from claudedex.ml import dataset
from claudedex.ml.features import (
    FEATURE_NAMES,
    FEATURES,
    N_FEATURES,
    SEQ_CHANNELS,
    SEQ_LEN,
    LookAheadError,
    Observation,
    Swap,
    extract,
    feature_set_hash,
    sequence,
)

FIXTURE = Path(__file__).parent / "fixtures" / "launches.jsonl"
E18 = 10**18


def _obs(**kw: object) -> Observation:
    base = dict(
        token="0x" + "11" * 20, pair="0x" + "22" * 20, created_block=100, cutoff=120,
        report=RiskReport("0x" + "11" * 20, "0x" + "22" * 20, Verdict.SCAM,
                          (Finding("HONEYPOT", Severity.CRITICAL, "cannot sell"),),
                          buy_tax_bps=0, sell_tax_bps=None, block_number=101),
        liq_created=5 * E18, token_res_created=10**24, liq_cutoff=6 * E18,
        token_res_cutoff=9 * 10**23, lp_total=10**20, lp_creator=10**20, lp_burned=0,
        supply_created=10**24, supply_cutoff=10**24,
        swaps=(Swap(105, True, E18, "0x" + "33" * 20), Swap(119, True, E18 // 2, "0x" + "44" * 20)),
        syncs=((105, 95 * 10**22, 6 * E18),),
    )  # fmt: skip
    base.update(kw)
    return Observation(**base)  # type: ignore[arg-type]


def test_every_feature_is_documented_once() -> None:
    assert len(set(FEATURE_NAMES)) == N_FEATURES == len(FEATURES)
    for f in FEATURES:
        assert f.unit and f.doc and f.source in {"safety", "pool", "holders", "flow",
                                                  "deployer", "social"}


def test_extract_gives_one_value_per_feature_with_named_meaning() -> None:
    row = dict(zip(FEATURE_NAMES, extract(_obs()), strict=True))
    assert row["verdict_scam"] == 1.0 and row["finding_honeypot"] == 1.0
    assert row["sell_tax_bps"] == -1.0  # unknown stays distinguishable from zero
    assert row["n_buys"] == 2.0 and row["n_sells"] == 0.0
    assert row["buy_eth"] == pytest.approx(1.5)
    assert row["liq_created_eth"] == 5.0 and row["lp_creator_share"] == 1.0
    assert row["last5_swaps"] == 1.0  # only the swap in block 119 is within 5 blocks


def test_a_swap_after_the_cutoff_is_refused() -> None:
    late = _obs(swaps=(Swap(121, True, E18, "0x" + "33" * 20),))
    with pytest.raises(LookAheadError):
        extract(late)
    with pytest.raises(LookAheadError):
        sequence(late)


def test_a_report_judged_after_the_cutoff_is_refused() -> None:
    obs = _obs()
    assert obs.report is not None
    late = dataclasses.replace(obs, report=dataclasses.replace(obs.report, block_number=121))
    with pytest.raises(LookAheadError):
        extract(late)


def test_sequence_is_per_block_and_zero_padded_past_the_cutoff() -> None:
    seq = sequence(_obs(cutoff=110, swaps=(Swap(105, True, E18, "0x" + "33" * 20),)))
    assert seq.shape == (SEQ_LEN, len(SEQ_CHANNELS))
    assert seq[4, SEQ_CHANNELS.index("n_buys")] == 1.0  # block 105 = created + 5
    assert not seq[10:].any()  # blocks 111.. are after the cut-off


def test_feature_set_hash_is_stable_and_short() -> None:
    assert feature_set_hash() == feature_set_hash() and len(feature_set_hash()) == 16


def test_recorded_devnet_observations_round_trip_through_json() -> None:
    examples = dataset.load(FIXTURE)
    again = dataset.obs_from_json(dataset.obs_to_json(examples[0].obs))
    assert extract(again) == extract(examples[0].obs)
    for e in examples:
        assert e.obs.cutoff - e.obs.created_block == 20
        assert all(s.block <= e.obs.cutoff for s in e.obs.swaps)
        extract(e.obs)  # no recorded example reads past its cut-off


def test_time_split_keeps_the_newest_launches_for_testing() -> None:
    split = dataset.time_split(dataset.load(FIXTURE))
    newest_train = max(e.obs.created_block for e in split.train + split.val)
    assert min(e.obs.created_block for e in split.test) > newest_train
