"""One module per task: its data, default model, loss and metrics."""
