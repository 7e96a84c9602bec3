"""Optimizer state stored in fewer bits: ``state_precision="bfloat16"`` or ``"int8"``.

The element programs still compute in the parameter's working dtype (float32 for float16,
bfloat16 and float32 parameters): a step decodes a piece of each state into a working copy,
runs the program on it, and encodes the new values back, one piece (at most ``PIECE``
elements, a multiple of ``BLOCK``) at a time, so the working copies stay in cache and never
cost more memory than one piece.

- **bfloat16**: stored with stochastic rounding (random bits added below bfloat16's 16 bits,
  then truncated); the bits are a hash of the step, the tensor's place, the state and the
  element (``rounding_key``), the same in the fused kernels, so a run repeats exactly.
  Nearest rounding would freeze slow averages: Adam's ``v`` moves by 0.1% of itself per step
  at ``beta_2=0.999``, less than half of bfloat16's spacing (0.4%), so every such update would
  round back to the old value; stochastic rounding keeps the average right.
- **int8**: block-wise dynamic quantisation (Dettmers et al. 2022): blocks of ``BLOCK``
  elements, each with a float32 scale (its largest magnitude), and one byte per element, the
  code of a value in [-1, 1] in a format finest near 1 (``generator/runtime/_state_codes.py``:
  30 octaves unsigned, for states the equations prove never negative (``generator.signs``),
  29 octaves and a sign otherwise). Codes round to the nearest value, except that an
  unsigned state's positive value never rounds to 0 (Adam's ``v`` of 0 would divide by
  ``epsilon`` alone). Tensors with
  fewer than ``MIN_INT8_NUMEL`` elements keep their state in the working dtype, as
  bitsandbytes does: their scales would cost more than the bytes saved, and biases and norms
  are where quantisation errors hurt most.

A quantised state ``m`` is two entries of ``optimizer.state[p]``: ``"m"``, the codes shaped
like the parameter, and ``"m.absmax"``, the scales (a name no spec state can have).
"""

import torch

from .. import _state_codes as codes
from .._state_codes import BLOCK, MIN_INT8_NUMEL

PRECISIONS = ("float32", "bfloat16", "int8")
PIECE = 1 << 20  # elements decoded at once: 4 MB per float32 working copy
ABSMAX = ".absmax"

_LOW_PRECISION = (torch.float16, torch.bfloat16)
_UNSIGNED = torch.tensor(codes.UNSIGNED_VALUES, dtype=torch.float32)
_SIGNED = torch.tensor(codes.SIGNED_VALUES, dtype=torch.float32)  # index: code + 128
_FORMATS = {  # keep_positive: an unsigned state's positive value never becomes code 0
    True: (torch.tensor(codes.SIGNED_BITS), torch.tensor(codes.SIGNED_BASES), False),
    False: (torch.tensor(codes.UNSIGNED_BITS), torch.tensor(codes.UNSIGNED_BASES), True),
}
_MASK32 = 0xFFFFFFFF


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


def n_blocks(numel: int) -> int:
    return -(-numel // BLOCK)


def encode_state(precision, p, values, nonnegative, key=0) -> dict:
    """The stored entries of one state from its values (shaped like ``p``, any float dtype)."""
    dtype = stored_dtype(precision, p, nonnegative)
    stored = torch.empty(p.shape, dtype=dtype, device=p.device)
    out = {"": stored}
    flat = values.detach().reshape(-1)
    if dtype in (torch.int8, torch.uint8):
        out[ABSMAX] = torch.empty(n_blocks(p.numel()), dtype=torch.float32, device=p.device)
        for start in range(0, p.numel(), PIECE):
            stop = min(p.numel(), start + PIECE)
            encode(out, flat[start:stop].float(), start, stop)
    else:
        encode(
            out,
            flat.to(dtype if dtype is not torch.bfloat16 else torch.float32),
            0,
            p.numel(),
            key,
        )
    return out


def decode_state(entries: dict, dtype) -> torch.Tensor:
    """A state's values, shaped like its codes, in ``dtype``."""
    stored = entries[""]
    out = torch.empty(stored.shape, dtype=dtype, device=stored.device)
    flat = out.view(-1)
    for start in range(0, stored.numel(), PIECE):
        stop = min(stored.numel(), start + PIECE)
        flat[start:stop] = decode(entries, start, stop, dtype)
    return out


def decode(entries: dict, start: int, stop: int, dtype) -> torch.Tensor:
    """Elements [start, stop) of a state as a new tensor in ``dtype`` (start on a block)."""
    stored = entries[""].view(-1)[start:stop]
    if stored.dtype is torch.uint8 or stored.dtype is torch.int8:
        signed = stored.dtype is torch.int8
        table = (_SIGNED if signed else _UNSIGNED).to(stored.device)
        index = stored.long() + 128 if signed else stored.long()
        values = table[index].to(dtype)
        absmax = entries[ABSMAX][start // BLOCK : n_blocks(stop)]
        _per_block(values, absmax.to(dtype), torch.Tensor.mul_)
        return values
    return stored.to(dtype, copy=True)


def encode(entries: dict, values, start: int, stop: int, key: int = 0) -> None:
    """Store ``values`` (float, elements [start, stop) of a state, start on a block);
    ``key``: bfloat16's rounding key (rounding_key)."""
    stored = entries[""].view(-1)[start:stop]
    if stored.dtype is torch.bfloat16:
        stored.copy_(_stochastic_bfloat16(values.float(), key, start))
    elif stored.dtype is torch.uint8 or stored.dtype is torch.int8:
        signed = stored.dtype is torch.int8
        values = values.float()
        absmax = entries[ABSMAX][start // BLOCK : n_blocks(stop)]
        _block_absmax(values, absmax)
        scale = torch.where(absmax > 0, absmax, torch.ones_like(absmax))
        normalised = values.clone()
        _per_block(normalised, 1 / scale, torch.Tensor.mul_)
        stored.copy_(_codes(normalised, signed))
    else:
        stored.copy_(values)


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
    if full < flat.numel():
        out[-1] = flat[full:].abs().max()


def _codes(normalised, signed):
    """_state_codes.encode_magnitude, on tensors: the int8 or uint8 code of each value."""
    table_bits, bases, keep_positive = _FORMATS[signed]
    table_bits, bases = table_bits.to(normalised.device), bases.to(normalised.device)
    last = len(table_bits) - 1
    magnitude = normalised.abs().view(torch.int32).long()
    octave = 127 - (magnitude >> 23)
    within = octave.clamp(0, last)
    rounded = magnitude + (1 << (22 - table_bits[within]))
    within = (127 - (rounded >> 23)).clamp(0, last)
    code = bases[within] + ((rounded & 0x7FFFFF) >> (23 - table_bits[within]))
    code = torch.where(octave < 0, bases[0], code)  # NaN
    below = torch.where((octave == last + 1) | ((magnitude != 0) & keep_positive), 1, 0)
    code = torch.where(octave > last, below, code)
    if signed:
        code = torch.where(normalised < 0, -code, code)
    return code


def _hash32(x):
    """A 32-bit integer hash (``lowbias32``), on int64 tensors or ints holding 32 bits."""
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & _MASK32
    x = x ^ (x >> 15)
    x = (x * 0x846CA68B) & _MASK32
    return x ^ (x >> 16)


def rounding_key(step: int, position: int, state_index: int) -> int:
    """The seed of one state of one tensor in one step: bfloat16's stochastic rounding uses
    _hash32(key + element index), as the fused kernels do (ocg_state.h)."""
    return _hash32((step * 0x9E3779B1 + position * 0x85EBCA77 + state_index * 0xC2B2AE3D) & _MASK32)


def _stochastic_bfloat16(values, key: int, start: int = 0):
    """float32 -> bfloat16, rounded up in magnitude with probability equal to the fraction
    of the spacing that truncation drops (values that are already bfloat16 stay); the random
    bits of element i are _hash32(key + start + i)."""
    index = torch.arange(start, start + values.numel(), dtype=torch.int64, device=values.device)
    noise = (_hash32((index + key) & _MASK32) & 0xFFFF).to(torch.int32).view(values.shape)
    bits = values.view(torch.int32)
    rounded = ((bits + noise) & -65536).view(torch.float32)
    rounded = torch.where(torch.isfinite(values), rounded, values)  # NaN keeps its payload
    return rounded.to(torch.bfloat16)


def state_problem(state: dict, names, p, precision, nonnegative) -> str | None:
    """What is wrong with a parameter's stored state for this precision, or None."""
    expected = set()
    for name in names:
        dtype = stored_dtype(precision, p, name in nonnegative)
        expected.add(name)
        stored = state.get(name)
        if not _plain(stored, dtype, p.shape, p.device):
            return (
                f"state {name!r} must be {dtype} of shape {tuple(p.shape)} on {p.device} for "
                f"state_precision={precision!r}, not {_describe(stored)}"
            )
        if dtype in (torch.int8, torch.uint8):
            expected.add(name + ABSMAX)
            scale = state.get(name + ABSMAX)
            if not _plain(scale, torch.float32, (n_blocks(p.numel()),), p.device):
                return (
                    f"state {name + ABSMAX!r} must be float32 of shape ({n_blocks(p.numel())},) on "
                    f"{p.device} (one scale per {BLOCK} elements), not {_describe(scale)}"
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


def _describe(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"{value.dtype} of shape {tuple(value.shape)} on {value.device}"
    return "missing" if value is None else type(value).__name__


def saved_values(values: dict, names, p, work_dtype) -> dict | str:
    """A saved state (any precision) as values in ``work_dtype`` shaped like ``p``, or what
    is wrong with it: float tensors shaped like ``p``, or int8/uint8 codes with their scales."""
    expected, out = set(names), {}
    for name in names:
        stored = values.get(name)
        if not isinstance(stored, torch.Tensor) or stored.layout is not torch.strided:
            return f"state {name!r} is {_describe(stored)}"
        if tuple(stored.shape) != tuple(p.shape):
            return f"state {name!r} has shape {tuple(stored.shape)}, the parameter {tuple(p.shape)}"
        if stored.dtype in (torch.int8, torch.uint8):
            expected.add(name + ABSMAX)
            scale = values.get(name + ABSMAX)
            if (
                not isinstance(scale, torch.Tensor)
                or scale.dtype is not torch.float32
                or tuple(scale.shape) != (n_blocks(p.numel()),)
                or scale.layout is not torch.strided
            ):
                return f"state {name + ABSMAX!r} must be float32 of shape ({n_blocks(p.numel())},), not {_describe(scale)}"
            entries = {
                "": stored.detach().cpu().contiguous(),
                ABSMAX: scale.detach().cpu().contiguous(),
            }
            out[name] = decode_state(entries, work_dtype).to(p.device)
        elif stored.is_floating_point():
            out[name] = stored.detach().to(device=p.device, dtype=work_dtype, copy=True)
        else:
            return f"state {name!r} is {_describe(stored)}"
    if set(values) != expected:
        return f"the state holds {sorted(values)}, expected {sorted(expected)}"
    return out
