"""The world a run starts from: consumers (population.py), their social graph and its generators
(network.py, csr.py, homophily.py), merchants and the shopping graph (merchants.py), random streams."""
