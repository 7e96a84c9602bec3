# copied from generator/runtime/torch/_state_precision.py by python -m generator build — do not edit
"""Optimizer state stored in fewer bits: ``state_precision="bfloat16"`` or ``"int8"``.

The element programs still compute in the parameter's working dtype (float32 for float16,
bfloat16 and float32 parameters): a step decodes each state into working copies, runs the
program on them, and encodes the new values back, a batch of pieces at a time (at most
``piece(device)`` elements: a tensor's piece starts on a multiple of ``BLOCK``, and small
tensors share a batch), so the working copies stay in cache on a CPU and never cost more
memory than one batch. A batch's pieces are decoded and encoded together
(``decode_pieces``, ``encode_pieces``): a few operations for all of them, not a few dozen
for each.

- **bfloat16**: stored with stochastic rounding (random bits added below bfloat16's 16 bits,
  then truncated); the bits are a hash of the step, the tensor's place among those whose
  state is stored in fewer bits, the state and the element (``rounding_key``), the same in
  the fused kernels, so a run repeats exactly.
  Nearest rounding would freeze slow averages: Adam's ``v`` moves by 0.1% of itself per step
  at ``beta_2=0.999``, less than half of bfloat16's spacing (0.4%), so every such update would
  round back to the old value; stochastic rounding keeps the average right.
- **int8**: block-wise quantisation (as in Dettmers et al. 2022): blocks of ``BLOCK``
  elements, each with a float32 scale (its largest magnitude), and one byte per element, a
  small float of the element over the scale (``generator/runtime/_state_codes.py``: 3 bits of
  mantissa; 5 of exponent for states the equations prove never negative (``generator.signs``),
  stored unsigned, 4 and a sign otherwise), rounded stochastically like bfloat16, except that
  an unsigned state's positive value never becomes 0 (Adam's ``v`` of 0 would divide by
  ``epsilon`` alone). Tensors with fewer than ``MIN_INT8_NUMEL`` elements keep their state in
  the working dtype, as bitsandbytes does: their scales would cost more than the bytes
  saved, and biases and norms are where quantisation errors hurt most.

A quantised state ``m`` is two entries of ``optimizer.state[p]``: ``"m"``, the codes shaped
like the parameter, and ``"m.absmax"``, the scales (a name no spec state can have).
"""

import functools
from typing import NamedTuple

import torch

from .. import _state_codes as codes
from .._state_codes import BLOCK, MIN_INT8_NUMEL

PRECISIONS = ("float32", "bfloat16", "int8")
PIECE = 1 << 20  # elements decoded at once on a CPU: 4 MB per float32 working copy, in cache
GPU_PIECE = 1 << 24  # ... on a GPU, which has no such cache: fewer launches (64 MB per copy)
ABSMAX = ".absmax"
FEWER_BITS = (torch.bfloat16, torch.int8, torch.uint8)  # the stored dtypes of state_precision

_LOW_PRECISION = (torch.float16, torch.bfloat16)
_UNSIGNED = torch.tensor(codes.UNSIGNED_VALUES, dtype=torch.float32)
_SIGNED = torch.tensor(codes.SIGNED_VALUES, dtype=torch.float32)  # index: code + 128
_MASK32 = codes.MASK32
_INFINITY_BITS = 0x7F800000
rounding_key = codes.rounding_key


def check_precision(owner: str, value) -> str:
    if not isinstance(value, str) or value not in PRECISIONS:
        raise ValueError(
            f"{owner}: state_precision must be one of {', '.join(map(repr, PRECISIONS))}, not {value!r}"
        )
    return value


def stored_dtype(precision: str, p, nonnegative: bool) -> torch.dtype:
    """The dtype a state of ``p`` is kept in."""
    work = torch.float32 if p.dtype in _LOW_PRECISION else p.dtype
    if precision == "bfloat16":
        return torch.bfloat16
    if precision == "int8" and p.numel() >= MIN_INT8_NUMEL:
        return torch.uint8 if nonnegative else torch.int8
    return work


def piece(device: torch.device) -> int:
    """How many elements of a state a step decodes at once on ``device``."""
    return GPU_PIECE if device.type == "cuda" else PIECE


def n_blocks(numel: int) -> int:
    return -(-numel // BLOCK)


def encode_state(precision, p, values, nonnegative, key=0) -> dict:
    """The stored entries of one state from its values (shaped like ``p``, any float dtype)."""
    dtype = stored_dtype(precision, p, nonnegative)
    out = {"": torch.empty(p.shape, dtype=dtype, device=p.device)}
    if dtype in (torch.int8, torch.uint8):
        out[ABSMAX] = torch.empty(n_blocks(p.numel()), dtype=torch.float32, device=p.device)
    encode_whole(out, values, key)
    return out


def encode_whole(entries: dict, values, key: int) -> None:
    """Store a whole state's ``values`` (as many as its codes), piece by piece, with the
    stochastic rounding's ``key``."""
    flat = values.detach().reshape(-1)
    size = piece(flat.device)
    for start in range(0, flat.numel(), size):
        stop = min(flat.numel(), start + size)
        encode(entries, flat[start:stop], start, stop, key)


def in_fewer_bits(state: dict, names) -> bool:
    """Whether a parameter's state is stored in fewer bits (not int8's small tensors)."""
    return bool(names) and state[names[0]].dtype in FEWER_BITS


def decode_state(entries: dict, dtype) -> torch.Tensor:
    """A state's values, shaped like its codes, in ``dtype``."""
    stored = entries[""]
    out = torch.empty(stored.shape, dtype=dtype, device=stored.device)
    flat = out.view(-1)
    size = piece(stored.device)
    for start in range(0, stored.numel(), size):
        stop = min(stored.numel(), start + size)
        flat[start:stop] = decode(entries, start, stop, dtype)
    return out


def decode(entries: dict, start: int, stop: int, dtype) -> torch.Tensor:
    """Elements [start, stop) of a state as a new tensor in ``dtype`` (start on a block)."""
    stored = entries[""].view(-1)[start:stop]
    if stored.dtype is torch.uint8 or stored.dtype is torch.int8:
        signed = stored.dtype is torch.int8
        table = _code_values(signed, stored.device)
        # index_select with int32 indices: a sixth of the time of indexing with int64 ones
        index = stored.int() + 128 if signed else stored.int()
        values = table.index_select(0, index).to(dtype)
        _per_block(values, _scales(entries, start, stop).to(dtype), torch.Tensor.mul_)
        return values
    return stored.to(dtype, copy=True)


@functools.lru_cache(maxsize=None)
def _code_values(signed: bool, device: torch.device) -> torch.Tensor:
    """The value of each code, on ``device`` once: a copy to a GPU at each call waited for
    the work queued before it."""
    return (_SIGNED if signed else _UNSIGNED).to(device)


def encode(entries: dict, values, start: int, stop: int, key: int = 0) -> None:
    """Store ``values`` (float, elements [start, stop) of a state, start on a block);
    ``key``: the stochastic rounding's (rounding_key)."""
    stored = entries[""].view(-1)[start:stop]
    if stored.dtype is torch.bfloat16:
        stored.copy_(_stochastic_bfloat16(values.float(), key, start))
    elif stored.dtype is torch.uint8 or stored.dtype is torch.int8:
        values = values.float()
        absmax = _scales(entries, start, stop)
        noise = _noise(values, key, start, codes.NOISE_BITS)
        stored.copy_(_int8_codes(values, absmax, stored.dtype is torch.int8, noise))
    else:
        stored.copy_(values)


def _scales(entries: dict, start: int, stop: int) -> torch.Tensor:
    """The scales of the int8 blocks of elements [start, stop) (start on a block), a view."""
    return entries[ABSMAX][start // BLOCK : n_blocks(stop)]


def _int8_codes(values, absmax, signed: bool, noise) -> torch.Tensor:
    """The codes (int32) of float32 ``values`` (flat, from a block's start) with their blocks'
    largest magnitudes written into ``absmax``."""
    _block_absmax(values, absmax)
    scale = torch.where(absmax > 0, absmax, torch.ones_like(absmax))
    normalised = values.clone()
    _per_block(normalised, 1 / scale, torch.Tensor.mul_)
    return _codes(normalised, signed, noise)


def _per_block(flat, per_block, op) -> None:
    """``op(flat, scale)`` in place, with ``per_block[i]`` for elements of block i."""
    full = flat.numel() // BLOCK * BLOCK
    if full:
        op(flat[:full].view(-1, BLOCK), per_block[: full // BLOCK, None])
    if full < flat.numel():
        op(flat[full:], per_block[-1])


def _block_absmax(flat, out) -> None:
    full = flat.numel() // BLOCK * BLOCK
    if full:
        torch.amax(flat[:full].view(-1, BLOCK).abs(), dim=1, out=out[: full // BLOCK])
    if full < flat.numel():  # amax, as above: a NaN's bits are those of the full blocks' (and C's)
        out[-1] = torch.amax(flat[full:].abs(), dim=0)


def _codes(normalised, signed, noise):
    """_state_codes.encode_magnitude, on tensors: the int8 or uint8 code of each value (in
    int32: a NaN's bits are lowered to infinity's first, so that adding the noise cannot
    carry past 2**31; both take the top code, as in C)."""
    offset, top = (
        (codes.SIGNED_OFFSET, codes.SIGNED_TOP)
        if signed
        else (codes.UNSIGNED_OFFSET, codes.UNSIGNED_TOP)
    )
    magnitude = normalised.abs().view(torch.int32).clamp_max(_INFINITY_BITS)
    code = magnitude.add(noise).bitwise_right_shift_(codes.SHIFT).sub_(offset).clamp_(0, top)
    # torch.where took 3x the time of the rest on the CPU: the sign by copysign from the value
    # with NaN as 0 (NaN, whatever its sign bit, is positive, as C's y < 0 says), and an
    # unsigned nonzero value's code at least 1 by a maximum
    if signed:
        sign = normalised.nan_to_num(nan=0.0)
        return code.float().copysign_(sign).to(torch.int32)
    return torch.maximum(code, magnitude.clamp_max(1))


@functools.lru_cache(maxsize=None)
def _golden_steps(device) -> torch.Tensor:
    """i * GOLDEN modulo 2**32 for i < piece(device), as int32 (wrapped)."""
    steps = (torch.arange(piece(device), dtype=torch.int64) * codes.GOLDEN) & _MASK32
    return _as_int32(steps).to(device)


def _noise_base(key: int, start: int) -> int:
    """key + start * GOLDEN modulo 2**32, as an int32 (wrapped): element start's sum."""
    base = (key + start * codes.GOLDEN) & _MASK32
    return base - (1 << 32) if base >= 1 << 31 else base


def _as_int32(wide: torch.Tensor) -> torch.Tensor:
    """int64 values in [0, 2**32) as the int32 values of the same bits."""
    return torch.where(wide >= 1 << 31, wide - (1 << 32), wide).to(torch.int32)


def _top_bits(total, bits: int):
    """The top ``bits`` of int32 sums taken as uint32: an arithmetic shift, then a mask."""
    return (total >> (32 - bits)) & ((1 << bits) - 1)


def _noise(values, key: int, start: int, bits: int):
    """_state_codes.noise of elements [start, start + n) of a state (n <= piece(device)), in int32:
    the sum wraps as uint32 arithmetic does, and an arithmetic shift then a mask keeps the
    same top bits as a logical shift."""
    total = _golden_steps(values.device)[: values.numel()] + _noise_base(key, start)
    return _top_bits(total, bits).view(values.shape)


def _stochastic_bfloat16(values, key: int, start: int = 0):
    """float32 -> bfloat16, rounded up in magnitude with probability equal to the fraction
    of the spacing that truncation drops (values that are already bfloat16 stay); the random
    bits of element i are _state_codes.noise(key, start + i, 16)."""
    return _round_bfloat16(values, _noise(values, key, start, codes.BFLOAT16_NOISE_BITS))


def _round_bfloat16(values, noise):
    """float32 ``values`` with ``noise`` (int32, below bfloat16's bits) added, truncated."""
    rounded = ((values.view(torch.int32) + noise) & -65536).view(torch.float32)
    rounded = torch.where(torch.isfinite(values), rounded, values)  # NaN keeps its payload
    return rounded.to(torch.bfloat16)


def host_to_device(values: torch.Tensor, device: torch.device) -> torch.Tensor:
    """A host tensor copied to ``device``, on a GPU from pinned memory without the host waiting.
    A copy from pageable memory waits for every kernel queued before it, so a step's host work
    could not overlap the kernels of the step before; torch's caching host allocator keeps the
    pinned block until the copy has run. Elsewhere (the CPU, the CPU shim) a plain copy."""
    if device.type != "cuda":
        return values.to(device)
    return values.pin_memory().to(device, non_blocking=True)


class Decoded(NamedTuple):
    """The state values of a batch of pieces (decode_pieces): ``values[j]``, piece j's, and
    the batched groups they are views of, for encode_pieces."""

    values: list
    groups: list  # (the pieces' indices, their buffer, its _Layout) per batched group


class _Layout(NamedTuple):
    """Pieces of state laid end to end in one buffer, each padded to whole blocks, so that
    block-wise operations run once for all of them: piece k starts at ``offsets[k]``, at row
    ``rows[k]`` of the buffer viewed as (blocks, BLOCK)."""

    offsets: tuple  # of each piece's first element
    rows: tuple  # of each piece's first block
    pads: tuple  # elements after each piece, up to its next block
    n_blocks: int
    repeats: torch.Tensor  # blocks per piece (int64, on the device)
    block_steps: torch.Tensor  # (block in its piece * BLOCK) * GOLDEN mod 2**32, int32 wrapped
    last_rows: torch.Tensor  # the rows of partial last blocks
    last_pads: torch.Tensor  # their pad columns (bool, one row each)


@functools.lru_cache(maxsize=1024)
def _layout(device: torch.device, spans: tuple) -> _Layout:
    """The layout of pieces [start, stop) (cached: a steady step has the same pieces)."""
    offsets, rows, pads, counts, steps, last_rows, last_pads = [], [], [], [], [], [], []
    row = 0
    for start, stop in spans:
        blocks = n_blocks(stop - start)
        offsets.append(row * BLOCK)
        rows.append(row)
        pads.append(blocks * BLOCK - (stop - start))
        counts.append(blocks)
        steps.extend(k * BLOCK * codes.GOLDEN & _MASK32 for k in range(blocks))
        if pads[-1]:
            last_rows.append(row + blocks - 1)
            last_pads.append([c >= BLOCK - pads[-1] for c in range(BLOCK)])
        row += blocks
    steps = _as_int32(torch.tensor(steps, dtype=torch.int64))
    return _Layout(
        tuple(offsets),
        tuple(rows),
        tuple(pads),
        row,
        torch.tensor(counts, dtype=torch.int64).to(device),
        steps.to(device),
        torch.tensor(last_rows, dtype=torch.int64).to(device),
        torch.tensor(last_pads, dtype=torch.bool).reshape(-1, BLOCK).to(device),
    )


@functools.lru_cache(maxsize=None)
def _zeros(dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    return torch.zeros(BLOCK, dtype=dtype, device=device)


def decode_pieces(pieces, dtypes) -> Decoded:
    """decode() of each piece (entries, start, stop) into ``dtypes[j]``, the same values; the
    pieces stored in int8 or bfloat16 batched by stored and working dtype, in a few operations
    for all of them, where there are several: each operation per piece costs a launch on a
    GPU, the most of a foreach step over many tensors there."""
    values = [None] * len(pieces)
    kinds: dict = {}
    for j, (entries, start, stop) in enumerate(pieces):
        stored = entries[""]
        if stored.dtype in FEWER_BITS:
            kinds.setdefault((stored.dtype, dtypes[j], stored.device), []).append(j)
        else:
            values[j] = decode(entries, start, stop, dtypes[j])
    groups = []
    for (stored_dtype, dtype, device), members in kinds.items():
        if len(members) == 1:  # alone: decode() copies less (measured: W1 on a CPU)
            entries, start, stop = pieces[members[0]]
            values[members[0]] = decode(entries, start, stop, dtype)
            continue
        layout = _layout(device, tuple((pieces[j][1], pieces[j][2]) for j in members))
        parts = []
        for j, pad in zip(members, layout.pads):
            entries, start, stop = pieces[j]
            parts.append(entries[""].view(-1)[start:stop])
            if pad:
                parts.append(_zeros(stored_dtype, device)[:pad])
        stored = torch.cat(parts)
        if stored_dtype is torch.bfloat16:
            buffer = stored.to(dtype)
        else:
            signed = stored_dtype is torch.int8
            index = stored.int() + 128 if signed else stored.int()
            buffer = _code_values(signed, device).index_select(0, index).to(dtype)
            absmax = torch.cat([_scales(*pieces[j]) for j in members])
            blocks = buffer.view(-1, BLOCK)
            blocks.mul_(absmax.to(dtype)[:, None])
            if layout.last_rows.numel():  # pads are 0, whatever their block's scale
                rows = blocks[layout.last_rows]
                blocks[layout.last_rows] = rows.masked_fill_(layout.last_pads, 0)
        for j, offset in zip(members, layout.offsets):
            values[j] = buffer[offset : offset + pieces[j][2] - pieces[j][1]]
        groups.append((members, buffer, layout))
    return Decoded(values, groups)


def encode_pieces(pieces, decoded: Decoded) -> None:
    """encode() of each piece (entries with their rounding "key", start, stop) from
    ``decoded.values`` (decode_pieces's, stepped in place): the same codes, batched."""
    batched = {j for members, _, _ in decoded.groups for j in members}
    for j, (entries, start, stop) in enumerate(pieces):
        if j not in batched:
            encode(entries, decoded.values[j], start, stop, entries["key"])
    for members, buffer, layout in decoded.groups:
        stored_dtype = pieces[members[0]][0][""].dtype
        device = buffer.device
        bases = [_noise_base(pieces[j][0]["key"], pieces[j][1]) for j in members]
        bases = host_to_device(torch.tensor(bases, dtype=torch.int32), device)
        block_bases = torch.repeat_interleave(bases, layout.repeats, output_size=layout.n_blocks)
        totals = (block_bases + layout.block_steps)[:, None] + _golden_steps(device)[None, :BLOCK]
        values = buffer.float().view(-1)  # whole blocks: pads (0) as well
        if stored_dtype is torch.bfloat16:
            noise = _top_bits(totals, codes.BFLOAT16_NOISE_BITS).view(-1)
            stored = _round_bfloat16(values, noise)
        else:
            absmax = torch.empty(layout.n_blocks, dtype=torch.float32, device=device)
            noise = _top_bits(totals, codes.NOISE_BITS).view(-1)
            stored = _int8_codes(values, absmax, stored_dtype is torch.int8, noise)
            stored = stored.to(stored_dtype)
            torch._foreach_copy_(
                [_scales(*pieces[j]) for j in members],
                [
                    absmax[row : row + n_blocks(pieces[j][2] - pieces[j][1])]
                    for j, row in zip(members, layout.rows)
                ],
            )
        flat = stored.view(-1)
        torch._foreach_copy_(
            [pieces[j][0][""].view(-1)[pieces[j][1] : pieces[j][2]] for j in members],
            [
                flat[offset : offset + pieces[j][2] - pieces[j][1]]
                for j, offset in zip(members, layout.offsets)
            ],
        )


def state_problem(state: dict, names, p, precision, nonnegative) -> str | None:
    """What is wrong with a parameter's stored state for this precision, or None."""
    # exact str keys first: looking up a key of a str subclass runs its __eq__ and __hash__,
    # Python code that could change a tensor between these checks and the kernel's call
    strange = [key for key in state if type(key) is not str]
    if strange:
        return f"state keys must be str, not {type(strange[0]).__name__}"
    expected = set()
    for name in names:
        dtype = stored_dtype(precision, p, name in nonnegative)
        expected.add(name)
        stored = state.get(name)
        if not _plain(stored, dtype, p.shape, p.device):
            return (
                f"state {name!r} must be a contiguous {dtype} tensor of shape {tuple(p.shape)} on "
                f"{p.device} for state_precision={precision!r}, not {describe(stored)}"
            )
        if dtype in (torch.int8, torch.uint8):
            expected.add(name + ABSMAX)
            scale = state.get(name + ABSMAX)
            if not _plain(scale, torch.float32, (n_blocks(p.numel()),), p.device):
                return (
                    f"state {name + ABSMAX!r} must be float32 of shape ({n_blocks(p.numel())},) on "
                    f"{p.device} (one scale per {BLOCK} elements), not {describe(scale)}"
                )
    if set(state) != expected:
        return f"the state holds {sorted(state)}, state_precision={precision!r} needs {sorted(expected)}"
    return None


def _plain(tensor, dtype, shape, device) -> bool:
    return (
        type(tensor) in (torch.Tensor, torch.nn.Parameter)
        and tensor.dtype is dtype
        and tuple(tensor.shape) == tuple(shape)
        and tensor.device == device
        and tensor.layout is torch.strided
        and tensor.is_contiguous()
        and not tensor.is_inference()
    )


def describe(value) -> str:
    """A value as error messages name it."""
    if isinstance(value, torch.Tensor):
        layout = "" if value.layout == torch.strided else f" ({value.layout})"
        odd = (
            ", not contiguous"
            if value.layout == torch.strided and not value.is_contiguous()
            else ""
        )
        odd += ", an inference tensor" if value.is_inference() else ""
        return f"{value.dtype} of shape {tuple(value.shape)} on {value.device}{layout}{odd}"
    return "missing" if value is None else f"a {type(value).__name__}"


def saved_problem(values: dict, names, p, shape_of=None) -> str | None:
    """What is wrong with a saved state (any precision) for ``p``, or None: each state a
    float tensor shaped like ``p`` (or ``shape_of(name)``: a state of rows or columns), or
    int8/uint8 codes with their scales, and nothing else."""
    expected = set(names)
    for name in names:
        stored = values.get(name)
        if not isinstance(stored, torch.Tensor) or stored.layout is not torch.strided:
            return f"state {name!r} is {describe(stored)}"
        wanted = tuple(shape_of(name)) if shape_of else tuple(p.shape)
        if tuple(stored.shape) != wanted:
            kept = f", expected {wanted}" if wanted != tuple(p.shape) else ""
            return (
                f"state {name!r} has shape {tuple(stored.shape)}{kept}, the parameter "
                f"{tuple(p.shape)}"
            )
        if stored.dtype in (torch.int8, torch.uint8):
            expected.add(name + ABSMAX)
            scale = values.get(name + ABSMAX)
            if (
                not isinstance(scale, torch.Tensor)
                or scale.dtype is not torch.float32
                or tuple(scale.shape) != (n_blocks(p.numel()),)
                or scale.layout is not torch.strided
            ):
                return f"state {name + ABSMAX!r} must be float32 of shape ({n_blocks(p.numel())},), not {describe(scale)}"
            # a block's largest magnitude: never negative (NaN where the block held a NaN);
            # a negative one would decode every element of its block with the wrong sign
            if bool((scale < 0).any()):
                return (
                    f"state {name + ABSMAX!r} holds a negative scale (a block's largest magnitude)"
                )
        elif not stored.is_floating_point():
            return f"state {name!r} is {describe(stored)}"
    if set(values) != expected:
        return f"the state holds {sorted(values)}, expected {sorted(expected)}"
    return None


def saved_values(values: dict, names, p, work_dtype) -> dict:
    """A saved state that saved_problem accepts, as values in ``work_dtype`` on ``p``'s device."""
    out = {}
    for name in names:
        stored = values[name].detach()
        if stored.dtype in (torch.int8, torch.uint8):
            scale = values[name + ABSMAX].detach().to(stored.device)
            entries = {"": stored.contiguous(), ABSMAX: scale.contiguous()}
            out[name] = decode_state(entries, work_dtype).to(p.device)
        else:
            out[name] = stored.to(device=p.device, dtype=work_dtype, copy=True)
    return out


def same_format(values: dict, names, p, precision, nonnegative) -> dict | None:
    """Copies of a saved state (checked by saved_problem) on ``p``'s device, when it was
    saved as ``precision`` stores it; None otherwise."""
    if precision == "float32":
        return None
    out = {}
    for name in names:
        if values[name].dtype is not stored_dtype(precision, p, name in nonnegative):
            return None
        for key in (name, name + ABSMAX):
            if key in values:
                out[key] = values[key].detach().to(p.device, copy=True).contiguous()
    return out
