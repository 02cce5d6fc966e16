"""What is shown, as numbers: each view is a pure function from (network, dataset,
settings) to a small dataclass or dict of plain numbers — no Rich, no printing — that
render/ draws, `visualize --json` prints, and the live panel, replay and the HTML page
recompute frame by frame."""
