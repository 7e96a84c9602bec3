/* The pointer table of a fused CPU step, built and checked in C++ (a Python extension module,
 * ocg_fused_table; generator/runtime/_native.py builds it against the installed torch).
 *
 * The Python runtime checks every tensor of every step before its pointer reaches a kernel
 * (_problem in torch/_runtime.py): a few microseconds per tensor, which over many small
 * tensors cost more than the kernels themselves. This module makes the same checks for the
 * common case in a fraction of that: plain, contiguous CPU tensors of one dtype (float32 or
 * float64), gradient and state shaped like their parameter, every element within its storage.
 * Anything else, including every case that _problem refuses or copies, returns None and the
 * Python path takes the step (or says what is wrong): this module only ever accepts. */

#include <Python.h>

#include <ATen/core/Tensor.h>
#include <torch/csrc/autograd/python_variable.h>

#include <cstdint>
#include <vector>

namespace
{

/* A plain strided CPU tensor of dtype `dtype` shaped `sizes`, contiguous, neither lazily
 * negated nor conjugated, whose elements all lie within its storage; its data pointer goes to
 * `pointer`. `object` must be exactly one of `plain` (torch.Tensor, torch.nn.Parameter):
 * subclasses (DTensor, FakeTensor, ...) are not what their storage says. */
bool plain_tensor(PyObject *object, PyObject *plain, at::ScalarType dtype, c10::IntArrayRef sizes,
                  int64_t *pointer)
{
    bool exact = false;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(plain); ++i) {
        exact =
            exact || reinterpret_cast<PyObject *>(Py_TYPE(object)) == PyTuple_GET_ITEM(plain, i);
    }
    if (!exact || !THPVariable_Check(object)) {
        return false;
    }
    const at::Tensor &tensor = THPVariable_Unpack(object);
    if (!tensor.defined() || tensor.layout() != c10::kStrided || !tensor.has_storage() ||
        tensor.device().type() != c10::DeviceType::CPU || tensor.scalar_type() != dtype ||
        tensor.sizes() != sizes || !tensor.is_contiguous() || tensor.is_neg() || tensor.is_conj()) {
        return false;
    }
    const int64_t numel = tensor.numel();
    if (numel > 0) {
        const int64_t end = tensor.storage_offset() + numel;
        const int64_t bytes = static_cast<int64_t>(tensor.storage().nbytes());
        if (tensor.storage_offset() < 0 || end > bytes / static_cast<int64_t>(tensor.itemsize())) {
            return false;
        }
    }
    *pointer = reinterpret_cast<int64_t>(tensor.data_ptr());
    return true;
}

/* One parameter's row of the table (parameter, gradient, each state tensor in `names`'
 * order) and its element count, or false when any of them is not for this path. */
bool parameter_row(PyObject *param, PyObject *state, PyObject *names, PyObject *plain,
                   at::ScalarType *dtype, int64_t *row, int64_t *numel)
{
    if (!THPVariable_Check(param)) {
        return false;
    }
    const at::Tensor &p = THPVariable_Unpack(param);
    if (!p.defined()) {
        return false;
    }
    if (*dtype == c10::ScalarType::Undefined) {
        *dtype = p.scalar_type();
    }
    if (*dtype != c10::kFloat && *dtype != c10::kDouble) {
        return false;
    }
    c10::IntArrayRef sizes = p.sizes();
    if (!plain_tensor(param, plain, *dtype, sizes, &row[0])) {
        return false;
    }
    PyObject *grad = PyObject_GetAttrString(param, "grad");
    if (grad == nullptr) {
        PyErr_Clear();
        return false;
    }
    const bool grad_ok = plain_tensor(grad, plain, *dtype, sizes, &row[1]);
    Py_DECREF(grad);
    if (!grad_ok) {
        return false;
    }
    /* the state: exactly the spec's names, as the Python path requires. Looking the
     * parameter up runs torch.Tensor.__hash__ (Python), during which another thread may
     * change the state: the parameter's own dict is held while it is read. */
    PyObject *own = PyDict_GetItemWithError(state, param);
    if (own == nullptr || !PyDict_CheckExact(own)) {
        PyErr_Clear();
        return false;
    }
    Py_INCREF(own);
    bool ok = PyDict_GET_SIZE(own) == PyTuple_GET_SIZE(names);
    for (Py_ssize_t s = 0; ok && s < PyTuple_GET_SIZE(names); ++s) {
        /* str keys: their hash is cached, and comparing them runs no Python code */
        PyObject *value = PyDict_GetItemWithError(own, PyTuple_GET_ITEM(names, s));
        ok = value != nullptr && plain_tensor(value, plain, *dtype, sizes, &row[2 + s]);
    }
    PyErr_Clear();
    Py_DECREF(own);
    if (!ok) {
        return false;
    }
    *numel = p.numel();
    return true;
}

/* table(params, state, names, plain, chunk) -> (table, n_chunks, dtype) or None.
 *
 * params: a list of parameters with gradients; state: the optimizer's state (a dict keyed by
 * parameter, of dicts keyed by state name); names: the kernel's state names, in order; plain:
 * the exact tensor types taken; chunk: elements per chunk (_kernel_layout.CHUNK).
 * table: a bytearray of int64 laid out as _native.table lays it out (pointer rows, element
 * counts, chunk starts); dtype: the parameters' torch dtype. */
PyObject *table(PyObject *, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyList_Check(args[0]) || !PyDict_Check(args[1]) || !PyTuple_Check(args[2]) ||
        !PyTuple_Check(args[3]) || !PyLong_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "table(params: list, state: dict, names: tuple, plain: tuple, chunk: int)");
        return nullptr;
    }
    PyObject *params = args[0], *state = args[1], *names = args[2], *plain = args[3];
    const int64_t chunk = PyLong_AsLongLong(args[4]);
    if (chunk <= 0) {
        PyErr_SetString(PyExc_ValueError, "chunk must be positive");
        return nullptr;
    }
    for (Py_ssize_t s = 0; s < PyTuple_GET_SIZE(names); ++s) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(names, s))) {
            PyErr_SetString(PyExc_TypeError, "state names must be exact str");
            return nullptr;
        }
    }
    const int64_t n = PyList_GET_SIZE(params);
    const int64_t width = 2 + PyTuple_GET_SIZE(names);
    try {
        std::vector<int64_t> rows(static_cast<size_t>(n * width));
        std::vector<int64_t> numels(static_cast<size_t>(n));
        at::ScalarType dtype = c10::ScalarType::Undefined;
        for (int64_t i = 0; i < n; ++i) {
            /* the list may not change under us: nothing here calls back into Python code
             * except a gradient's attribute lookup, which reads a C++ field */
            if (i >= PyList_GET_SIZE(params) ||
                !parameter_row(PyList_GET_ITEM(params, i), state, names, plain, &dtype,
                               &rows[i * width], &numels[i])) {
                Py_RETURN_NONE;
            }
        }
        /* a bytearray, not a tensor: making a tensor would dispatch (and run any Python
         * dispatch mode the caller has on) */
        const Py_ssize_t bytes = static_cast<Py_ssize_t>(sizeof(int64_t) * (n * width + n + n + 1));
        PyObject *out = PyByteArray_FromStringAndSize(nullptr, bytes);
        if (out == nullptr) {
            return nullptr;
        }
        int64_t *data = reinterpret_cast<int64_t *>(PyByteArray_AS_STRING(out));
        int64_t *start = data + n * width + n;
        start[0] = 0;
        for (int64_t i = 0; i < n; ++i) {
            for (int64_t k = 0; k < width; ++k) {
                data[i * width + k] = rows[i * width + k];
            }
            data[n * width + i] = numels[i];
            start[i + 1] = start[i] + (numels[i] + chunk - 1) / chunk;
        }
        const char *dtype_name = dtype == c10::kDouble ? "float64" : "float32";
        return Py_BuildValue("(NLs)", out, static_cast<long long>(start[n]), n ? dtype_name : "");
    } catch (const std::exception &error) {
        PyErr_SetString(PyExc_RuntimeError, error.what());
        return nullptr;
    }
}

PyMethodDef methods[] = {
    { "table", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(table)),
      METH_FASTCALL,
      "The checked pointer table of a fused CPU step, or None (see the module's comment)." },
    { nullptr, nullptr, 0, nullptr },
};

PyModuleDef module = { PyModuleDef_HEAD_INIT, "ocg_fused_table", nullptr, -1, methods };

} // namespace

PyMODINIT_FUNC PyInit_ocg_fused_table(void) { return PyModule_Create(&module); }
