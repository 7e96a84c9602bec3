# copied from generator/runtime/_state_codes.py by python -m generator build — do not edit
"""The 8-bit codes of optimizer state stored as ``state_precision="int8"``, shared by the C
kernels (tables printed into ``cuda/ocg_config.h`` by the build) and the PyTorch runtime.

A state is stored per block of BLOCK elements: a float32 scale (the block's largest
magnitude) and one byte per element, a code for the element divided by the scale, a value in
[-1, 1]. The codes are a floating-point format whose precision depends on the octave, finer
near 1 where the block's large values are, coarser far below where values matter little but
must not vanish (a dynamic map, as in Dettmers et al. 2022, spaced per octave rather than
per decade so that the code is found with integer arithmetic on the float's bits):

- octave 0 is 1.0 itself; octave o >= 1 is [2**-o, 2**(1-o)) with 2**BITS[o] evenly spaced
  values, the first one 2**-o;
- code 0 is 0; code 1 is the smallest octave's first value; codes rise with the value up to
  the largest code, 1.0.

Unsigned codes (states the equations prove never negative) cover 30 octaves (down to
2**-29, 1.9e-9), 32 values in [0.5, 1) (1.6% apart); signed codes (a sign and a 7-bit
magnitude, int8 from -127 to 127; -128 reads as -1) cover 29 octaves, 16 values in [0.5, 1).

Encoding rounds to the nearest value (ties away from zero): the float's mantissa rounded to
the octave's bits, a carry moving it to the next octave's first value. Below the smallest
octave a value rounds to 0 or to code 1, whichever is nearer, except that an unsigned
state's positive value never becomes 0 (Adam's v of 0 would divide by epsilon alone).
"""

BLOCK = 256
MIN_INT8_NUMEL = 4096  # smaller tensors keep their state in the working dtype

UNSIGNED_BITS = (0, 5, 4) + (3,) * 25 + (2, 1)  # per octave, from octave 0 (1.0) down
SIGNED_BITS = (0, 4, 3) + (2,) * 25 + (1,)


def _bases(bits) -> tuple[int, ...]:
    """The first code of each octave: codes rise with the value, code 0 is 0."""
    bases, next_code = [0] * len(bits), 1
    for octave in reversed(range(len(bits))):
        bases[octave] = next_code
        next_code += 1 << bits[octave]
    return tuple(bases)


UNSIGNED_BASES = _bases(UNSIGNED_BITS)
SIGNED_BASES = _bases(SIGNED_BITS)
assert UNSIGNED_BASES[0] == 255 and SIGNED_BASES[0] == 127


def magnitudes(bits) -> list[float]:
    """The value of each code from 0 up, exact in float32."""
    values = [0.0]
    for octave in reversed(range(len(bits))):
        step = 2.0 ** (-octave - bits[octave])
        values += [2.0**-octave + j * step for j in range(1 << bits[octave])]
    return values


UNSIGNED_VALUES = magnitudes(UNSIGNED_BITS)  # 256 values, code 0 to 255
# int8 codes -128..127 as indices 0..255: -1 (for -128), then -1 ... 0 ... 1
SIGNED_VALUES = (
    [-1.0] + [-v for v in reversed(magnitudes(SIGNED_BITS)[1:])] + magnitudes(SIGNED_BITS)
)
assert len(UNSIGNED_VALUES) == 256 and len(SIGNED_VALUES) == 256


def encode_magnitude(bits32: int, table_bits, bases, keep_positive: bool) -> int:
    """The code of a non-negative float32 given by its bits (the reference the torch and C
    encoders follow operation by operation; tests compare them)."""
    exponent = bits32 >> 23
    octave = 127 - exponent
    last = len(table_bits) - 1
    if octave < 0:  # NaN (or a value past 1, which a block's scale does not make)
        return bases[0]
    if octave > last:
        if octave == last + 1:
            return 1
        return 1 if keep_positive and bits32 else 0
    rounded = bits32 + (1 << (22 - table_bits[octave]))
    octave = 127 - (rounded >> 23)
    return bases[octave] + ((rounded & 0x7FFFFF) >> (23 - table_bits[octave]))
