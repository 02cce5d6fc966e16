"""Everything drawn for a person: progress, tables, charts, heatmaps."""
