/* The pointer table of a step's common case, built and checked in C++ (a Python extension
 * module, ocg_fused_table; generator/runtime/_native.py builds it against the installed torch).
 *
 * The Python runtime checks every tensor of every step before its pointer reaches a kernel
 * (_problem in torch/_runtime.py): a few microseconds per tensor, which over many small
 * tensors cost more than the kernels themselves. This module makes the same checks for the
 * common case in a fraction of that: plain, contiguous tensors of one dtype (float32 or
 * float64) on one device (the CPU or one GPU) with real memory of their own, gradient and
 * state shaped like their parameter, every element within its storage. Anything else, including every case that _problem
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
#include <torch/csrc/Dtype.h>
#include <torch/csrc/autograd/python_variable.h>

#include <algorithm>
#include <cstdint>
#include <optional>
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

/* A plain strided tensor on `device` of dtype `dtype` shaped `sizes`, contiguous, neither lazily
 * negated nor conjugated, no inference tensor, no functional or Python-dispatched wrapper (their
 * data pointer is not their memory), whose elements all lie within its storage; `object` must
 * be exactly one of `plain` (torch.Tensor, torch.nn.Parameter): subclasses are declined. Its data
 * pointer goes to `pointer` and its storage to `storage`. */
bool plain_tensor(PyObject *object, PyObject *plain, at::ScalarType dtype, c10::Device device,
                  c10::IntArrayRef sizes, int64_t *pointer, const void **storage)
{
    if (!exact_type(object, plain) || !THPVariable_Check(object)) {
        return false;
    }
    const at::Tensor &tensor = THPVariable_Unpack(object);
    if (!tensor.defined() || tensor.layout() != c10::kStrided || !tensor.has_storage() ||
        tensor.device() != device || tensor.scalar_type() != dtype || tensor.sizes() != sizes ||
        !tensor.is_contiguous() || tensor.is_neg() || tensor.is_conj() || tensor.is_inference()) {
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

/* A parameter and its gradient, plain tensors of one float dtype (`*dtype`, set by the first
 * parameter) on one device (`*device`, the first parameter's: the CPU or a CUDA GPU), into
 * row[0] and row[1]; the parameter's storage to `written`. */
Row parameter_and_gradient(PyObject *param, PyObject *plain, at::ScalarType *dtype,
                           std::optional<c10::Device> *device, int64_t *row,
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
    if (!device->has_value()) {
        *device = p.device();
    }
    if (!(*device)->is_cpu() && !(*device)->is_cuda()) {
        return Row::declined;
    }
    c10::IntArrayRef sizes = p.sizes();
    const void *storage = nullptr;
    if (!plain_tensor(param, plain, *dtype, **device, sizes, &row[0], &storage)) {
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
    const bool grad_ok =
        plain_tensor(grad_object, plain, *dtype, **device, sizes, &row[1], &storage);
    const bool held = hold(keep, grad_object);
    Py_DECREF(grad_object);
    if (!held) {
        return Row::error;
    }
    return grad_ok ? Row::taken : Row::declined;
}

/* The index of exact str `key` in tuple `names`, or -1 (-2 with a Python error set). */
Py_ssize_t find_name(PyObject *key, PyObject *names)
{
    for (Py_ssize_t s = 0; s < PyTuple_GET_SIZE(names); ++s) {
        if (PyUnicode_Compare(key, PyTuple_GET_ITEM(names, s)) == 0) {
            return s;
        }
        if (PyErr_Occurred()) {
            return -2;
        }
    }
    return -1;
}

/* One parameter's row of the table (parameter, gradient, each state tensor in `names`'
 * order), its element count, and the storages it writes (parameter and state). */
Row parameter_row(PyObject *param, PyObject *own, PyObject *names, PyObject *plain,
                  at::ScalarType *dtype, std::optional<c10::Device> *device, int64_t *row,
                  int64_t *numel, std::vector<const void *> *written, PyObject *keep)
{
    const Row head = parameter_and_gradient(param, plain, dtype, device, row, written, keep);
    if (head != Row::taken) {
        return head;
    }
    const at::Tensor &p = THPVariable_Unpack(param);
    c10::IntArrayRef sizes = p.sizes();
    const void *storage = nullptr;
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
        const Py_ssize_t s = find_name(key, names);
        if (s == -2) {
            return Row::error;
        }
        if (s == -1 ||
            !plain_tensor(value, plain, *dtype, **device, sizes, &row[2 + s], &storage)) {
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

/* What each tensor of `keep` is now: its data pointer, its storage's data pointer and size,
 * three int64 per tensor in a bytearray; nullptr (with a Python error) on failure. */
PyObject *witness_of(PyObject *keep)
{
    const Py_ssize_t n = PyList_GET_SIZE(keep);
    PyObject *out = PyByteArray_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(24 * n));
    if (out == nullptr) {
        return nullptr;
    }
    int64_t *data = reinterpret_cast<int64_t *>(PyByteArray_AS_STRING(out));
    for (Py_ssize_t i = 0; i < n; ++i) {
        const at::Tensor &tensor = THPVariable_Unpack(PyList_GET_ITEM(keep, i));
        data[3 * i] = reinterpret_cast<int64_t>(tensor.data_ptr());
        data[3 * i + 1] = reinterpret_cast<int64_t>(tensor.storage().data());
        data[3 * i + 2] = static_cast<int64_t>(tensor.storage().nbytes());
    }
    return out;
}

/* recheck(keep, witness) -> bool: whether every tensor a table was built from (held in keep)
 * still has the data pointer and the storage (its memory and size) it had then, so that every
 * pointer of the table still lies in live memory of the size that was checked. Cheaper than
 * the checks themselves; run at the kernel call, after Python has had a chance to run. */
PyObject *recheck(PyObject *, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_CheckExact(args[0]) || !PyByteArray_CheckExact(args[1]) ||
        PyByteArray_GET_SIZE(args[1]) != 24 * PyList_GET_SIZE(args[0])) {
        PyErr_SetString(PyExc_TypeError, "recheck(keep: list, witness: bytearray of 3 int64 each)");
        return nullptr;
    }
    const int64_t *data = reinterpret_cast<const int64_t *>(PyByteArray_AS_STRING(args[1]));
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(args[0]); ++i) {
        PyObject *object = PyList_GET_ITEM(args[0], i);
        if (!THPVariable_Check(object)) {
            Py_RETURN_FALSE;
        }
        const at::Tensor &tensor = THPVariable_Unpack(object);
        if (!tensor.defined() || !tensor.has_storage() ||
            reinterpret_cast<int64_t>(tensor.data_ptr()) != data[3 * i] ||
            reinterpret_cast<int64_t>(tensor.storage().data()) != data[3 * i + 1] ||
            static_cast<int64_t>(tensor.storage().nbytes()) != data[3 * i + 2]) {
            Py_RETURN_FALSE;
        }
    }
    Py_RETURN_TRUE;
}

/* Each parameter's state dict, by identity, as Python's dict finds a tensor key (its hash is
 * its id); walked without running Python code. */
std::unordered_map<PyObject *, PyObject *> state_by_parameter(PyObject *state)
{
    std::unordered_map<PyObject *, PyObject *> own_of;
    Py_ssize_t position = 0;
    PyObject *key = nullptr, *value = nullptr;
    while (PyDict_Next(state, &position, &key, &value)) {
        own_of.emplace(key, value);
    }
    return own_of;
}

/* Whether no two of the storages are the same (sorts them). */
bool distinct(std::vector<const void *> *written)
{
    std::sort(written->begin(), written->end());
    return std::adjacent_find(written->begin(), written->end()) == written->end();
}

/* The table as _native.table lays it out (pointer rows, element counts, chunk starts), as a
 * bytearray, not a tensor: making a tensor would dispatch (and run any Python dispatch mode
 * the caller has on). */
PyObject *table_bytes(const std::vector<int64_t> &rows, const std::vector<int64_t> &numels,
                      int64_t width, int64_t chunk, int64_t *n_chunks)
{
    const int64_t n = static_cast<int64_t>(numels.size());
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
    *n_chunks = start[n];
    return out;
}

/* The layout of state stored in fewer bits (state_precision): per state name its codes'
 * dtype, shaped like the parameter, and with int8 (scale names given) its block scales,
 * float32 of ceil(numel / block) elements; int8 keeps the state of tensors under min_numel
 * elements in float32, shaped like the parameter. */
struct StoredLayout {
    PyObject *names;
    PyObject *scale_names; /* empty: no scales (bfloat16) */
    std::vector<at::ScalarType> codes;
    int64_t block;
    int64_t min_numel;
};

/* One float32 parameter's row, as parameter_row's: p, g, then per state name its codes and
 * (int8) its scales, or, for int8's small tensors, its float32 state; `*fewer` says which. */
Row stored_row(PyObject *param, PyObject *own, const StoredLayout &layout, PyObject *plain,
               std::optional<c10::Device> *device, int64_t *row, bool *fewer, int64_t *numel,
               std::vector<const void *> *written, PyObject *keep)
{
    at::ScalarType dtype = c10::kFloat;
    const Row head = parameter_and_gradient(param, plain, &dtype, device, row, written, keep);
    if (head != Row::taken) {
        return head;
    }
    const at::Tensor &p = THPVariable_Unpack(param);
    const Py_ssize_t n_names = PyTuple_GET_SIZE(layout.names);
    *fewer = n_names == 0 || p.numel() >= layout.min_numel;
    const bool scales = *fewer && PyTuple_GET_SIZE(layout.scale_names) > 0;
    const Py_ssize_t per_name = scales ? 2 : 1;
    if (own == nullptr || !PyDict_CheckExact(own) || PyDict_GET_SIZE(own) != n_names * per_name) {
        return Row::declined;
    }
    const int64_t blocks[1] = { (p.numel() + layout.block - 1) / layout.block };
    Py_ssize_t position = 0, found = 0;
    PyObject *key = nullptr, *value = nullptr;
    while (PyDict_Next(own, &position, &key, &value)) {
        if (!PyUnicode_CheckExact(key)) {
            return Row::declined;
        }
        Py_ssize_t s = find_name(key, layout.names);
        bool scale = false;
        if (s == -1 && scales) {
            s = find_name(key, layout.scale_names);
            scale = true;
        }
        if (s == -2) {
            return Row::error;
        }
        if (s == -1) {
            return Row::declined;
        }
        const at::ScalarType want = scale ? c10::kFloat : (*fewer ? layout.codes[s] : c10::kFloat);
        const c10::IntArrayRef sizes = scale ? c10::IntArrayRef(blocks, 1) : p.sizes();
        const void *storage = nullptr;
        if (!plain_tensor(value, plain, want, **device, sizes, &row[2 + per_name * s + scale],
                          &storage)) {
            return Row::declined;
        }
        if (!hold(keep, value)) {
            return Row::error;
        }
        written->push_back(storage);
        ++found;
    }
    if (found != n_names * per_name) {
        return Row::declined;
    }
    if (!hold(keep, param)) {
        return Row::error;
    }
    *numel = p.numel();
    return Row::taken;
}

/* stored_table(params, state, names, scale_names, codes, plain, chunk, block, min_numel)
 *   -> (stored, plain_table, keep, witness) or None, for float32 parameters whose state is stored in
 * fewer bits: stored holds the tensors stored so, plain_table int8's small tensors (float32
 * state), each (bytearray laid out as _native.table lays it out, tensors, chunks), in the
 * parameters' order. names: the state names (exact str); scale_names: name + ".absmax" for
 * each (int8) or () (bfloat16); codes: the codes' torch dtype per name. Declines (None) where
 * table() would, where any state is not in this layout, and where two parameters or states
 * share a storage. */
PyObject *stored_table(PyObject *, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 9 || !PyList_CheckExact(args[0]) || !PyDict_Check(args[1]) ||
        !PyTuple_CheckExact(args[2]) || !PyTuple_CheckExact(args[3]) ||
        !PyTuple_CheckExact(args[4]) || !PyTuple_CheckExact(args[5]) ||
        !PyLong_CheckExact(args[6]) || !PyLong_CheckExact(args[7]) || !PyLong_CheckExact(args[8])) {
        PyErr_SetString(
            PyExc_TypeError,
            "stored_table(params: list, state: dict, names: tuple, scale_names: "
            "tuple, codes: tuple, plain: tuple, chunk: int, block: int, min_numel: int)");
        return nullptr;
    }
    PyObject *params = args[0], *state = args[1], *plain = args[5];
    StoredLayout layout{
        args[2], args[3], {}, PyLong_AsLongLong(args[7]), PyLong_AsLongLong(args[8])
    };
    const long long chunk = PyLong_AsLongLong(args[6]);
    if (PyErr_Occurred()) {
        return nullptr;
    }
    const Py_ssize_t n_names = PyTuple_GET_SIZE(layout.names);
    if (chunk <= 0 || layout.block <= 0 || chunk % layout.block != 0 || layout.min_numel < 0 ||
        PyTuple_GET_SIZE(args[4]) != n_names ||
        (PyTuple_GET_SIZE(layout.scale_names) != 0 &&
         PyTuple_GET_SIZE(layout.scale_names) != n_names)) {
        PyErr_SetString(PyExc_ValueError, "stored_table: inconsistent layout");
        return nullptr;
    }
    for (Py_ssize_t s = 0; s < n_names; ++s) {
        PyObject *code = PyTuple_GET_ITEM(args[4], s);
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(layout.names, s)) || !THPDtype_Check(code) ||
            (PyTuple_GET_SIZE(layout.scale_names) != 0 &&
             !PyUnicode_CheckExact(PyTuple_GET_ITEM(layout.scale_names, s)))) {
            PyErr_SetString(PyExc_TypeError, "names must be exact str and codes torch dtypes");
            return nullptr;
        }
        layout.codes.push_back(reinterpret_cast<THPDtype *>(code)->scalar_type);
    }
    PyObject *keep = PyList_New(0);
    if (keep == nullptr) {
        return nullptr;
    }
    const int64_t n = PyList_GET_SIZE(params);
    const int64_t widths[2] = { 2 + n_names,
                                2 + n_names * (PyTuple_GET_SIZE(layout.scale_names) ? 2 : 1) };
    try {
        const auto own_of = state_by_parameter(state);
        std::vector<int64_t> rows[2], numels[2]; /* [0]: float32 state, [1]: fewer bits */
        std::vector<int64_t> row(static_cast<size_t>(std::max(widths[0], widths[1])));
        std::vector<const void *> written;
        std::optional<c10::Device> device;
        for (int64_t i = 0; i < n; ++i) {
            PyObject *param = PyList_GET_ITEM(params, i);
            auto found = own_of.find(param);
            PyObject *own = found == own_of.end() ? nullptr : found->second;
            bool fewer = false;
            int64_t numel = 0;
            const Row taken = stored_row(param, own, layout, plain, &device, row.data(), &fewer,
                                         &numel, &written, keep);
            if (taken != Row::taken) {
                Py_DECREF(keep);
                if (taken == Row::error) {
                    return nullptr;
                }
                Py_RETURN_NONE;
            }
            rows[fewer].insert(rows[fewer].end(), row.begin(), row.begin() + widths[fewer]);
            numels[fewer].push_back(numel);
        }
        if (!distinct(&written)) {
            Py_DECREF(keep);
            Py_RETURN_NONE;
        }
        PyObject *tables[2] = { nullptr, nullptr };
        int64_t n_chunks[2] = { 0, 0 };
        for (int k = 0; k < 2; ++k) {
            tables[k] = table_bytes(rows[k], numels[k], widths[k], chunk, &n_chunks[k]);
            if (tables[k] == nullptr) {
                Py_XDECREF(tables[0]);
                Py_DECREF(keep);
                return nullptr;
            }
        }
        PyObject *witness = witness_of(keep);
        if (witness == nullptr) {
            Py_DECREF(tables[0]);
            Py_DECREF(tables[1]);
            Py_DECREF(keep);
            return nullptr;
        }
        return Py_BuildValue("((NLL)(NLL)NN)", tables[1], static_cast<long long>(numels[1].size()),
                             static_cast<long long>(n_chunks[1]), tables[0],
                             static_cast<long long>(numels[0].size()),
                             static_cast<long long>(n_chunks[0]), keep, witness);
    } catch (const std::exception &error) {
        Py_DECREF(keep);
        PyErr_SetString(PyExc_RuntimeError, error.what());
        return nullptr;
    }
}

/* table(params, state, names, plain, chunk) -> (table, n_chunks, dtype, distinct, keep, witness)
 * or None.
 *
 * params: a list of parameters with gradients; state: the optimizer's state (a dict keyed by
 * parameter, of dicts keyed by state name); names: the kernel's state names, in order (exact
 * str); plain: the exact tensor types taken; chunk: elements per chunk (_kernel_layout.CHUNK).
 * table: a bytearray of int64 laid out as _native.table lays it out (pointer rows, element
 * counts, chunk starts); dtype: the parameters' torch dtype name; distinct: no two parameters
 * or states share a storage; keep: a list holding every tensor of the table; witness: what
 * recheck() compares them with. */
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
        const auto own_of = state_by_parameter(state);
        std::vector<int64_t> rows(static_cast<size_t>(n * width));
        std::vector<int64_t> numels(static_cast<size_t>(n));
        std::vector<const void *> written;
        at::ScalarType dtype = c10::ScalarType::Undefined;
        std::optional<c10::Device> device;
        for (int64_t i = 0; i < n; ++i) {
            PyObject *param = PyList_GET_ITEM(params, i);
            auto found = own_of.find(param);
            PyObject *own = found == own_of.end() ? nullptr : found->second;
            const Row row = parameter_row(param, own, names, plain, &dtype, &device,
                                          &rows[i * width], &numels[i], &written, keep);
            if (row == Row::error) {
                Py_DECREF(keep);
                return nullptr;
            }
            if (row == Row::declined) {
                Py_DECREF(keep);
                Py_RETURN_NONE;
            }
        }
        int64_t n_chunks = 0;
        PyObject *out = table_bytes(rows, numels, width, chunk, &n_chunks);
        if (out == nullptr) {
            Py_DECREF(keep);
            return nullptr;
        }
        PyObject *witness = witness_of(keep);
        if (witness == nullptr) {
            Py_DECREF(out);
            Py_DECREF(keep);
            return nullptr;
        }
        const char *dtype_name = dtype == c10::kDouble ? "float64" : "float32";
        return Py_BuildValue("(NLsNNN)", out, static_cast<long long>(n_chunks), n ? dtype_name : "",
                             PyBool_FromLong(distinct(&written)), keep, witness);
    } catch (const std::exception &error) {
        Py_DECREF(keep);
        PyErr_SetString(PyExc_RuntimeError, error.what());
        return nullptr;
    }
}

PyMethodDef methods[] = {
    { "table", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(table)),
      METH_FASTCALL, "The checked pointer table of a step, or None (see the module's comment)." },
    { "recheck", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(recheck)),
      METH_FASTCALL, "Whether the tensors a table was built from are as they were." },
    { "stored_table", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(stored_table)),
      METH_FASTCALL, "The checked pointer tables of a step with state in fewer bits, or None." },
    { nullptr, nullptr, 0, nullptr },
};

PyModuleDef module = { PyModuleDef_HEAD_INIT, "ocg_fused_table", nullptr, -1, methods };

} // namespace

PyMODINIT_FUNC PyInit_ocg_fused_table(void) { return PyModule_Create(&module); }
