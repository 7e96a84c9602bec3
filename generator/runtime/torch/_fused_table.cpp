/* The pointer table of a step's common case, built and checked in C++ (a Python extension
 * module, ocg_fused_table; generator/runtime/_native.py builds it against the installed torch).
 *
 * The Python runtime checks every tensor of every step before its pointer reaches a kernel
 * (_problem in torch/_runtime.py): a few microseconds per tensor, which over many small
 * tensors cost more than the kernels themselves. This module makes the same checks for the
 * common case in a fraction of that: plain, contiguous CPU tensors of one dtype (float32 or
 * float64) with real memory of their own, gradient and state shaped like their parameter,
 * every element within its storage. Anything else, including every case that _problem
 * refuses or copies, returns None and the Python path takes the step (or says what is
 * wrong): this module only ever accepts.
 *
 * No Python code runs while it checks: the state is walked with PyDict_Next (no __hash__ or
 * __eq__), keys must be exact str, the gradient is read from the C++ tensor (no
 * __torch_function__ mode), so nothing can change or free a tensor between its check and the
 * table. The result holds a reference to every tensor in the table, and the caller keeps it
 * until the kernel has returned. */

#include <Python.h>

#include <ATen/core/Tensor.h>
#include <torch/csrc/autograd/python_variable.h>

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace
{

bool exact_type(PyObject *object, PyObject *plain)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(plain); ++i) {
        if (reinterpret_cast<PyObject *>(Py_TYPE(object)) == PyTuple_GET_ITEM(plain, i)) {
            return true;
        }
    }
    return false;
}

/* A plain strided CPU tensor of dtype `dtype` shaped `sizes`, contiguous, neither lazily
 * negated nor conjugated, no inference tensor, no functional or Python-dispatched wrapper (their
 * data pointer is not their memory), whose elements all lie within its storage; `object` must
 * be exactly one of `plain` (torch.Tensor, torch.nn.Parameter): subclasses are declined. Its data
 * pointer goes to `pointer` and its storage to `storage`. */
bool plain_tensor(PyObject *object, PyObject *plain, at::ScalarType dtype, c10::IntArrayRef sizes,
                  int64_t *pointer, const void **storage)
{
    if (!exact_type(object, plain) || !THPVariable_Check(object)) {
        return false;
    }
    const at::Tensor &tensor = THPVariable_Unpack(object);
    if (!tensor.defined() || tensor.layout() != c10::kStrided || !tensor.has_storage() ||
        tensor.device().type() != c10::DeviceType::CPU || tensor.scalar_type() != dtype ||
        tensor.sizes() != sizes || !tensor.is_contiguous() || tensor.is_neg() || tensor.is_conj() ||
        tensor.is_inference()) {
        return false;
    }
    const c10::DispatchKeySet keys = tensor.key_set();
    if (keys.has(c10::DispatchKey::Functionalize) || keys.has(c10::DispatchKey::Python) ||
        keys.has(c10::DispatchKey::PythonTLSSnapshot) ||
        tensor.unsafeGetTensorImpl()->is_python_dispatch()) {
        return false;
    }
    const int64_t numel = tensor.numel();
    if (numel > 0) {
        const int64_t end = tensor.storage_offset() + numel;
        const int64_t bytes = static_cast<int64_t>(tensor.storage().nbytes());
        if (tensor.storage_offset() < 0 || end > bytes / static_cast<int64_t>(tensor.itemsize()) ||
            tensor.data_ptr() == nullptr || tensor.storage().data() == nullptr) {
            return false;
        }
    }
    *pointer = reinterpret_cast<int64_t>(tensor.data_ptr());
    *storage = tensor.storage().unsafeGetStorageImpl();
    return true;
}

/* Appends `object` to `keep` (a new reference held by the list); false on failure. */
bool hold(PyObject *keep, PyObject *object) { return PyList_Append(keep, object) == 0; }

enum class Row { taken, declined, error };

/* One parameter's row of the table (parameter, gradient, each state tensor in `names`'
 * order), its element count, and the storages it writes (parameter and state). */
Row parameter_row(PyObject *param, PyObject *own, PyObject *names, PyObject *plain,
                  at::ScalarType *dtype, int64_t *row, int64_t *numel,
                  std::vector<const void *> *written, PyObject *keep)
{
    if (!THPVariable_Check(param)) {
        return Row::declined;
    }
    const at::Tensor &p = THPVariable_Unpack(param);
    if (!p.defined()) {
        return Row::declined;
    }
    if (*dtype == c10::ScalarType::Undefined) {
        *dtype = p.scalar_type();
    }
    if (*dtype != c10::kFloat && *dtype != c10::kDouble) {
        return Row::declined;
    }
    c10::IntArrayRef sizes = p.sizes();
    const void *storage = nullptr;
    if (!plain_tensor(param, plain, *dtype, sizes, &row[0], &storage)) {
        return Row::declined;
    }
    written->push_back(storage);
    /* the gradient from the C++ tensor, not through p.grad (which a TorchFunctionMode
     * intercepts); its Python object (the existing one) for the type check and to be held */
    const at::Tensor &grad = p.grad();
    if (!grad.defined()) {
        return Row::declined;
    }
    PyObject *grad_object = THPVariable_Wrap(grad);
    if (grad_object == nullptr) {
        return Row::error;
    }
    const bool grad_ok = plain_tensor(grad_object, plain, *dtype, sizes, &row[1], &storage);
    const bool held = hold(keep, grad_object);
    Py_DECREF(grad_object);
    if (!held) {
        return Row::error;
    }
    if (!grad_ok) {
        return Row::declined;
    }
    /* the state: exactly the spec's names, exact str keys (comparing them runs no Python) */
    if (own == nullptr || !PyDict_CheckExact(own) ||
        PyDict_GET_SIZE(own) != PyTuple_GET_SIZE(names)) {
        return Row::declined;
    }
    Py_ssize_t position = 0, found = 0;
    PyObject *key = nullptr, *value = nullptr;
    while (PyDict_Next(own, &position, &key, &value)) {
        if (!PyUnicode_CheckExact(key)) {
            return Row::declined;
        }
        Py_ssize_t s = 0;
        while (s < PyTuple_GET_SIZE(names) &&
               PyUnicode_Compare(key, PyTuple_GET_ITEM(names, s)) != 0) {
            ++s;
        }
        if (PyErr_Occurred()) {
            return Row::error;
        }
        if (s == PyTuple_GET_SIZE(names) ||
            !plain_tensor(value, plain, *dtype, sizes, &row[2 + s], &storage)) {
            return Row::declined;
        }
        if (!hold(keep, value)) {
            return Row::error;
        }
        written->push_back(storage);
        ++found;
    }
    if (found != PyTuple_GET_SIZE(names)) {
        return Row::declined;
    }
    if (!hold(keep, param)) {
        return Row::error;
    }
    *numel = p.numel();
    return Row::taken;
}

/* table(params, state, names, plain, chunk) -> (table, n_chunks, dtype, distinct, keep) or None.
 *
 * params: a list of parameters with gradients; state: the optimizer's state (a dict keyed by
 * parameter, of dicts keyed by state name); names: the kernel's state names, in order (exact
 * str); plain: the exact tensor types taken; chunk: elements per chunk (_kernel_layout.CHUNK).
 * table: a bytearray of int64 laid out as _native.table lays it out (pointer rows, element
 * counts, chunk starts); dtype: the parameters' torch dtype name; distinct: no two parameters
 * or states share a storage; keep: a list holding every tensor of the table. */
PyObject *table(PyObject *, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyList_CheckExact(args[0]) || !PyDict_Check(args[1]) ||
        !PyTuple_CheckExact(args[2]) || !PyTuple_CheckExact(args[3]) ||
        !PyLong_CheckExact(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "table(params: list, state: dict, names: tuple, plain: tuple, chunk: int)");
        return nullptr;
    }
    PyObject *params = args[0], *state = args[1], *names = args[2], *plain = args[3];
    const long long chunk = PyLong_AsLongLong(args[4]);
    if (chunk == -1 && PyErr_Occurred()) {
        return nullptr;
    }
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
    PyObject *keep = PyList_New(0);
    if (keep == nullptr) {
        return nullptr;
    }
    const int64_t n = PyList_GET_SIZE(params);
    const int64_t width = 2 + PyTuple_GET_SIZE(names);
    try {
        /* each parameter's state dict, by identity, as Python's dict finds a tensor key (its
         * hash is its id); walked without running Python code */
        std::unordered_map<PyObject *, PyObject *> own_of;
        Py_ssize_t position = 0;
        PyObject *key = nullptr, *value = nullptr;
        while (PyDict_Next(state, &position, &key, &value)) {
            own_of.emplace(key, value);
        }
        std::vector<int64_t> rows(static_cast<size_t>(n * width));
        std::vector<int64_t> numels(static_cast<size_t>(n));
        std::vector<const void *> written;
        at::ScalarType dtype = c10::ScalarType::Undefined;
        for (int64_t i = 0; i < n; ++i) {
            PyObject *param = PyList_GET_ITEM(params, i);
            auto found = own_of.find(param);
            PyObject *own = found == own_of.end() ? nullptr : found->second;
            const Row row = parameter_row(param, own, names, plain, &dtype, &rows[i * width],
                                          &numels[i], &written, keep);
            if (row == Row::error) {
                Py_DECREF(keep);
                return nullptr;
            }
            if (row == Row::declined) {
                Py_DECREF(keep);
                Py_RETURN_NONE;
            }
        }
        std::sort(written.begin(), written.end());
        const bool distinct = std::adjacent_find(written.begin(), written.end()) == written.end();
        /* a bytearray, not a tensor: making a tensor would dispatch (and run any Python
         * dispatch mode the caller has on) */
        const Py_ssize_t bytes = static_cast<Py_ssize_t>(sizeof(int64_t) * (n * width + n + n + 1));
        PyObject *out = PyByteArray_FromStringAndSize(nullptr, bytes);
        if (out == nullptr) {
            Py_DECREF(keep);
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
        return Py_BuildValue("(NLsNN)", out, static_cast<long long>(start[n]), n ? dtype_name : "",
                             PyBool_FromLong(distinct), keep);
    } catch (const std::exception &error) {
        Py_DECREF(keep);
        PyErr_SetString(PyExc_RuntimeError, error.what());
        return nullptr;
    }
}

PyMethodDef methods[] = {
    { "table", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(table)),
      METH_FASTCALL, "The checked pointer table of a step, or None (see the module's comment)." },
    { nullptr, nullptr, 0, nullptr },
};

PyModuleDef module = { PyModuleDef_HEAD_INIT, "ocg_fused_table", nullptr, -1, methods };

} // namespace

PyMODINIT_FUNC PyInit_ocg_fused_table(void) { return PyModule_Create(&module); }
