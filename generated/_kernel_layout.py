# copied from generator/runtime/_kernel_layout.py by python -m generator build — do not edit
"""The work decomposition of the generated kernels, shared by the C headers (printed into
``cuda/ocg_config.h`` by the build) and the Python runtime that sizes their buffers.

A CUDA block of THREADS threads updates chunks of CHUNK elements of one tensor, each thread
4 neighbouring elements per iteration (one 16-byte load for float); a grid-stride launch
needs no more than MAX_BLOCKS blocks to fill a GPU several times over.
"""

THREADS = 256
CHUNK = 8192
MAX_BLOCKS = 4096
