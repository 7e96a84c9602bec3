"""The 8-bit codes of optimizer state stored as ``state_precision="int8"``, shared by the C
kernels (printed into ``cuda/ocg_state.h`` by the build) and the PyTorch runtime.

A state is stored per block of BLOCK elements: a float32 scale (the block's largest
magnitude) and one byte per element, the code of the element divided by the scale, a value
in [-1, 1], as a small float with MANTISSA_BITS bits of mantissa:

- unsigned codes (states the equations prove never negative): 5 bits of exponent, code c
  in 1..248 is the float32 whose bits are (c + UNSIGNED_OFFSET) << SHIFT, from 2**-31 * 9/8
  up to 1.0 (code 248); code 0 is 0;
- signed codes: a sign and 4 bits of exponent, magnitude m in 1..120 is the float32 whose
  bits are (m + SIGNED_OFFSET) << SHIFT, from 2**-15 * 9/8 up to 1.0; int8 code -m or m.

Encoding rounds stochastically: random bits below the kept mantissa are added to the
float's bits before they are dropped, so a value rounds up with probability equal to the
fraction of the spacing it lies above the value below, and its code is right on average. That
matters because optimizer state changes slowly: Adam's v moves by 0.1% of itself per step at
beta_2=0.999, far less than the codes' spacing (12.5%), and nearest rounding would freeze
it. The random bits of element i are noise(key, i), the key a hash of the step, the tensor's
place among those whose state is stored in fewer bits, and the state's index
(rounding_key), in C and in torch alike (a hash per element cost a third of the fused step). A value below the smallest code rounds to 0, except
that an unsigned state's positive value keeps code 1 (Adam's v of 0 would divide by epsilon
alone). The codes are found with integer arithmetic on the float's bits: no table, no search.
"""

BLOCK = 256
MIN_INT8_NUMEL = 4096  # smaller tensors keep their state in the working dtype
# bytes per state element by state_precision (float32 parameters): int8 adds a float32 scale
# per block
STATE_BYTES = {"float32": 4, "bfloat16": 2, "int8": 1 + 4 / BLOCK}
MANTISSA_BITS = 3
SHIFT = 23 - MANTISSA_BITS  # the float32 bits below the kept mantissa
UNSIGNED_OFFSET = (127 - 31) << MANTISSA_BITS
UNSIGNED_TOP = (127 << MANTISSA_BITS) - UNSIGNED_OFFSET  # the code of 1.0: 248
SIGNED_OFFSET = (127 - 15) << MANTISSA_BITS
SIGNED_TOP = (127 << MANTISSA_BITS) - SIGNED_OFFSET  # the magnitude of 1.0: 120
NOISE_BITS = SHIFT  # random bits added below the kept mantissa
BFLOAT16_NOISE_BITS = 16  # bfloat16 keeps the top 16 bits of a float32
MASK32 = 0xFFFFFFFF
GOLDEN = 0x9E3779B9  # 2**32 / the golden ratio, odd


def hash32(x: int) -> int:
    """A 32-bit integer hash (lowbias32)."""
    x ^= x >> 16
    x = (x * 0x7FEB352D) & MASK32
    x ^= x >> 15
    x = (x * 0x846CA68B) & MASK32
    return x ^ (x >> 16)


def rounding_key(step: int, position: int, state_index: int) -> int:
    """The key of one state of one tensor in one step (see the module's docstring)."""
    return hash32((step * 0x9E3779B1 + position * 0x85EBCA77 + state_index * 0xC2B2AE3D) & MASK32)


def noise(key: int, index: int, bits: int) -> int:
    """The random bits of element ``index``: the top ``bits`` of key + index * GOLDEN (mod
    2**32). Within a step the elements' bits are a low-discrepancy sequence (each block's
    roundings are balanced); from step to step the key, a hash, changes them."""
    return ((key + index * GOLDEN) & MASK32) >> (32 - bits)


def encode_magnitude(bits32: int, noise: int, signed: bool) -> int:
    """The code (magnitude, for signed) of a non-negative float32 given by its bits, with
    ``noise`` random bits (< 2**SHIFT): the reference the torch and C encoders follow."""
    offset, top = (SIGNED_OFFSET, SIGNED_TOP) if signed else (UNSIGNED_OFFSET, UNSIGNED_TOP)
    code = min(max(((bits32 + noise) >> SHIFT) - offset, 0), top)
    if not signed and code == 0 and bits32 != 0:
        return 1
    return code


def value(code: int, signed: bool) -> float:
    """The value in [-1, 1] (2 for int8's -128, never written) of a code."""
    import struct

    magnitude = abs(code)
    if magnitude == 0:
        return 0.0
    bits = (magnitude + (SIGNED_OFFSET if signed else UNSIGNED_OFFSET)) << SHIFT
    result = struct.unpack("<f", struct.pack("<I", bits))[0]
    return -result if code < 0 else result


UNSIGNED_VALUES = [value(c, False) for c in range(256)]  # code 0..255
SIGNED_VALUES = [value(c, True) for c in range(-128, 128)]  # index code + 128
