"""What a scenario's network asks for, checked before anything is built.

`network.params` is a free-form mapping in the scenario format; here each generator gets a typed
model of the parameters it accepts (n and seed are supplied by adoptsim), so `k: ten`, `p: abc`
or `p: [1, 2]` fail when the file is loaded, not inside networkx. Checks that need the population
size (k below n, n*d even, ...) and the expected number of ties (for the memory estimate) live
here too, as does a cheap look at `network.file` (size and node count, without building a graph).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, Field, ValidationError

from adoptsim.scenario.schema import Fraction, StrictModel


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a whole number, not true/false")
    return value


WholeNumber = Annotated[int, BeforeValidator(_not_bool)]


class SmallWorld(StrictModel):
    """Ring lattice of k neighbours, each tie rewired (or, for Newman, added) with probability p."""

    k: WholeNumber = Field(ge=2, description="Neighbours of each consumer in the ring (k/2 on each side).")
    p: Fraction = Field(description="Probability of rewiring (adding) each tie.")


class ConnectedSmallWorld(SmallWorld):
    tries: WholeNumber = Field(100, ge=1, description="Attempts at a connected graph.")


class Gnp(StrictModel):
    """Erdos-Renyi G(n, p): every pair tied with probability p."""

    p: Fraction = Field(description="Probability of a tie between any two consumers.")
    directed: bool = False


class Gnm(StrictModel):
    """G(n, m): m ties drawn uniformly."""

    m: WholeNumber = Field(ge=0, description="Number of ties.")
    directed: bool = False


class PreferentialAttachment(StrictModel):
    """Barabasi-Albert: each newcomer ties to m existing consumers, by degree."""

    m: WholeNumber = Field(ge=1, description="Ties of each newcomer.")


class PowerlawCluster(StrictModel):
    """Holme-Kim: preferential attachment plus a triangle with probability p."""

    m: WholeNumber = Field(ge=1, description="Ties of each newcomer.")
    p: Fraction = Field(description="Probability of closing a triangle after each tie.")


class Regular(StrictModel):
    """Random d-regular graph."""

    d: WholeNumber = Field(ge=0, description="Degree of every consumer.")


class NoParameters(StrictModel):
    """Deterministic graphs (complete, empty) take no parameters."""


GENERATOR_PARAMS: dict[str, type[StrictModel]] = {
    "watts_strogatz_graph": SmallWorld,
    "newman_watts_strogatz_graph": SmallWorld,
    "connected_watts_strogatz_graph": ConnectedSmallWorld,
    "erdos_renyi_graph": Gnp,
    "gnp_random_graph": Gnp,
    "fast_gnp_random_graph": Gnp,
    "gnm_random_graph": Gnm,
    "barabasi_albert_graph": PreferentialAttachment,
    "powerlaw_cluster_graph": PowerlawCluster,
    "random_regular_graph": Regular,
    "complete_graph": NoParameters,
    "empty_graph": NoParameters,
}
"""The generators a scenario may name, each with the parameters it accepts (tests check the signatures
against networkx). A new generator is one entry here (networkx supplies the function)."""


def typed_params(name: str, params: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The generator's parameters in their types (only those given), or the problems found."""
    from adoptsim.scenario.loading import format_validation_error  # loading calls this module
    from adoptsim.scenario.schema import unknown_hint

    model = GENERATOR_PARAMS[name]
    try:
        typed = model.model_validate(params)
    except ValidationError as err:
        problems = []
        for error in err.errors():
            path, message = format_validation_error(error)
            if unknown_hint(error) is not None:
                hint = message[message.find("(") :] if model.model_fields else "(it takes none)"
                message = f"{name} takes no parameter '{path}' {hint}"
            problems.append((f"network.params.{path}", message))
        return {}, problems
    return typed.model_dump(exclude_unset=True), []


FAST_GENERATORS = ("watts_strogatz_graph", "erdos_renyi_graph", "gnp_random_graph", "fast_gnp_random_graph")
"""Generators network.py has a vectorized version of (`implementation: fast` needs one)."""


def implementation_problems(name: str, implementation: str) -> list[tuple[str, str]]:
    if implementation == "fast" and name not in FAST_GENERATORS:
        return [("network.implementation", f"no fast generator for '{name}' (fast: {', '.join(FAST_GENERATORS)})")]
    return []


def size_problems(name: str, params: dict[str, Any], n: int) -> list[tuple[str, str]]:
    """Problems between the generator's parameters and the number of consumers n."""
    if n < 2 and name != "empty_graph":
        return [("population.size", f"a {name} needs at least 2 consumers (got {n})")]
    for key in ("k", "m", "d"):
        if key in params and name != "gnm_random_graph" and params[key] >= n:
            return [(f"network.params.{key}", f"must be below population.size ({n:,}) (got {params[key]:,})")]
    if name == "gnm_random_graph" and params["m"] > n * (n - 1) // 2:
        return [("network.params.m", f"more ties than pairs of {n:,} consumers (got {params['m']:,})")]
    if name == "random_regular_graph" and (n * params["d"]) % 2:
        return [("network.params.d", f"population.size x d must be even (got {n:,} x {params['d']})")]
    return []


def expected_ties(name: str, params: dict[str, Any], n: int) -> float:
    """Ties the generator will produce for n consumers (the complete graph is kept implicit: 0)."""
    if name in ("watts_strogatz_graph", "connected_watts_strogatz_graph"):
        return n * params.get("k", 0) / 2
    if name == "newman_watts_strogatz_graph":
        return n * params.get("k", 0) / 2 * (1 + params.get("p", 0))
    if name in ("erdos_renyi_graph", "gnp_random_graph", "fast_gnp_random_graph"):
        return n * (n - 1) / 2 * params.get("p", 0)
    if name == "gnm_random_graph":
        return params.get("m", 0)
    if name in ("barabasi_albert_graph", "powerlaw_cluster_graph"):
        return n * params.get("m", 0)
    if name == "random_regular_graph":
        return n * params.get("d", 0) / 2
    return 0.0


FILE_BYTES_PER_CONSUMER = 4096
"""A graph file may hold this many bytes per consumer (about 200 ties each in an edge list)."""
FILE_BYTES_FLOOR = 4 * 2**20


class GraphFileError(ValueError):
    """A graph file `run` cannot use; the message names the file (and the line)."""


def file_problems(file: str, n: int) -> list[tuple[str, str]]:
    """The graph file checked as `run` reads it (the same parser, cached): a regular file, not far
    larger than n consumers need, every token of it valid, exactly n nodes."""
    try:
        graph_file(file, n)
    except GraphFileError as err:
        return [("network.file", str(err))]
    return []


def graph_file(file: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The file's ties as consumer indices (u, v); nodes sorted by their label as text take
    consumers 0..n-1 in that order. Raises GraphFileError naming the file and the line."""
    path = Path(file)
    try:
        if not path.exists():
            raise GraphFileError(f"file not found: {file}")
        if not path.is_file():
            raise GraphFileError(f"{file} is not a regular file (a graph file is an edge list or GraphML)")
        stat = path.stat()
        limit = max(FILE_BYTES_FLOOR, FILE_BYTES_PER_CONSUMER * n)
        if stat.st_size > limit:
            raise GraphFileError(
                f"{file} holds {stat.st_size / 2**20:.1f} MB, more than {limit / 2**20:.1f} MB for "
                f"{n:,} consumers (about {FILE_BYTES_PER_CONSUMER // 20} ties each)"
            )
        labels, u, v = _parsed(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError as err:
        raise GraphFileError(f"cannot read {file} ({err.strerror or err})") from None
    except GraphFileError as err:
        raise GraphFileError(str(err).replace("{file}", file)) from None
    if len(labels) != n:
        raise GraphFileError(f"{file} names {len(labels):,} nodes but population.size is {n:,}")
    return u, v


@functools.lru_cache(maxsize=2)
def _parsed(path: str, mtime: int, size: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Labels (sorted as text) and ties of a graph file; `mtime` and `size` key the cache."""
    graphml = path.lower().endswith((".graphml", ".xml"))
    ends, isolated = _graphml_ends(Path(path)) if graphml else (_edge_list(Path(path)), [])
    labels = sorted({*ends[0], *ends[1], *isolated})
    index = {label: i for i, label in enumerate(labels)}
    u = np.fromiter((index[a] for a in ends[0]), dtype=np.int64, count=len(ends[0]))
    v = np.fromiter((index[b] for b in ends[1]), dtype=np.int64, count=len(ends[1]))
    return labels, u, v


NODE = re.compile(r"[0-9]+")


def _edge_list(path: Path) -> tuple[list[str], list[str]]:
    """Every line blank, a comment (#) or two node numbers (whole numbers from 0) separated by
    whitespace, or by a comma in a .csv file; a bad token fails naming its line."""
    delimiter = "," if path.suffix.lower() == ".csv" else None
    first: list[str] = []
    second: list[str] = []
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                fields = [f.strip() for f in line.split("#", 1)[0].split(delimiter)]
                if fields in ([], [""]):
                    continue
                if len(fields) != 2:
                    raise GraphFileError(
                        f"{{file}} line {number}: expected two node numbers, found {len(fields)} field(s): "
                        f"{_shown(line)}"
                    )
                for field in fields:
                    if not NODE.fullmatch(field):
                        raise GraphFileError(
                            f"{{file}} line {number}: {_shown(field)} is not a node number (a whole number from 0)"
                        )
                first.append(str(int(fields[0])))
                second.append(str(int(fields[1])))
    except UnicodeDecodeError as err:
        raise GraphFileError(f"{{file}} is not text (byte {err.start} is not UTF-8)") from None
    if not first:
        raise GraphFileError("{file} holds no ties (an edge list has a line 'u v' per tie)")
    return first, second


def _graphml_ends(path: Path) -> tuple[tuple[list[str], list[str]], list[str]]:
    """A GraphML file's edges, and its nodes without a tie (consumers too)."""
    import networkx as nx

    try:
        graph = nx.read_graphml(path)
    except Exception as err:  # noqa: BLE001 - any parse failure is a user file problem
        raise GraphFileError(f"cannot read {{file}} ({_one_line(str(err))})") from None
    if graph.number_of_nodes() == 0:
        raise GraphFileError("{file} holds no nodes")
    edges = [(str(a), str(b)) for a, b in graph.edges]
    return ([a for a, _ in edges], [b for _, b in edges]), [str(x) for x in nx.isolates(graph)]


def _one_line(text: str) -> str:
    return text.strip().encode("unicode_escape").decode("ascii")  # one line, whatever the file holds


def _shown(text: str) -> str:
    text = _one_line(text)
    return repr(text if len(text) <= 40 else text[:37] + "...")
