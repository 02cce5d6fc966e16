"""Neural-network building blocks on the Tensor engine: modules, layers, activations, losses."""
