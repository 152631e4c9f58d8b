"""Per-layer progress from the engine's own message sequences, including the rare ones."""

from images.pull_progress import PullProgress


def folded(messages: list[dict]) -> PullProgress:
    progress = PullProgress()
    for message in messages:
        progress.apply(message)
    return progress


def test_a_layer_that_came_whole_takes_its_size_from_its_extraction() -> None:
    # dockerd 20.10 sent this for a 3,402-byte layer in 2 pulls of 40: no "Downloading" at all.
    progress = folded([
        {"status": "Pulling fs layer", "id": "6162d9707de3"},
        {"status": "Download complete", "id": "6162d9707de3"},
        {"status": "Extracting", "id": "6162d9707de3",
         "progressDetail": {"current": 3402, "total": 3402}},
        {"status": "Pull complete", "id": "6162d9707de3"},
    ])  # fmt: skip
    assert progress.layers["6162d9707de3"] == {
        "status": "Pull complete", "current": 3402, "total": 3402,
    }  # fmt: skip
    assert progress.bytes_done == progress.bytes_total == 3402


def test_a_downloaded_layer_is_whole_once_its_download_completes() -> None:
    # The engine rate-limits "Downloading": its last message here was at 1 % of the layer.
    progress = folded([
        {"status": "Downloading", "id": "aa25e42d726c",
         "progressDetail": {"current": 101981, "total": 8002686}},
        {"status": "Verifying Checksum", "id": "aa25e42d726c"},
        {"status": "Download complete", "id": "aa25e42d726c"},
        {"status": "Extracting", "id": "aa25e42d726c",
         "progressDetail": {"current": 32768, "total": 8002686}},
    ])  # fmt: skip
    assert progress.layers["aa25e42d726c"]["current"] == 8002686
    assert progress.bytes_done == progress.bytes_total == 8002686
