// generated from specs/adam.yaml by templates/cuda/example.cu.j2 — do not edit
/* A complete program with the C API of adam.h: allocate, compute the per-step scalars on
 * the device, launch one fused Adam step (amsgrad=False) over two tensors, and check every
 * element against the element function run on the host. Exits 0 when all match.
 *
 *   nvcc -arch=sm_90 -fmad=false -I generated/cuda generated/cuda/example.cu generated/cuda/adam.cu -o example && ./example
 *   g++ -x c++ -std=c++17 -fopenmp -ffp-contract=off -DOCG_CPU_SHIM -I generated/cuda generated/cuda/example.cu generated/cuda/adam.cu   (CPU shim)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ocg_cuda.h"
#include "adam.h"

#define CHECK(call)                                                              \
    do {                                                                         \
        const int error_ = (int)(call);                                          \
        if (error_ != 0) {                                                       \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, \
                    cudaGetErrorString((cudaError_t)error_));                    \
            exit(1);                                                             \
        }                                                                        \
    } while (0)

enum { N_TENSORS = 2, N_ARRAYS = 4, N_SCALARS = 7 };

static void *device_copy(const void *host, size_t bytes)
{
    void *device = NULL;
    CHECK(cudaMalloc(&device, bytes));
    CHECK(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice));
    return device;
}

int main(void)
{
    const int64_t numel[N_TENSORS] = { 4097, 3 }; /* a tail, and a tensor smaller than a vector */
    float *host[N_TENSORS][N_ARRAYS];
    void *pointers[N_TENSORS * N_ARRAYS];
    for (int t = 0; t < N_TENSORS; ++t) {
        for (int a = 0; a < N_ARRAYS; ++a) {
            host[t][a] = (float *)malloc((size_t)numel[t] * sizeof(float));
            for (int64_t i = 0; i < numel[t]; ++i) { /* p, g in [-1, 1); state >= 0 */
                const float x = (float)((i * 7919 + a * 104729 + t) % 2000) / 1000.0F;
                host[t][a][i] = a < 2 ? x - 1.0F : x;
            }
            pointers[t * N_ARRAYS + a] = device_copy(host[t][a], (size_t)numel[t] * sizeof(float));
        }
    }
    int64_t chunk_start[N_TENSORS + 1] = { 0 };
    for (int t = 0; t < N_TENSORS; ++t) {
        chunk_start[t + 1] = chunk_start[t] + (numel[t] + OCG_CHUNK - 1) / OCG_CHUNK;
    }
    ocg_tensor_list list;
    list.n_tensors = N_TENSORS;
    list.n_chunks = chunk_start[N_TENSORS];
    list.pointers = (void *const *)device_copy(pointers, sizeof pointers);
    list.numel = (const int64_t *)device_copy(numel, sizeof numel);
    list.chunk_start = (const int64_t *)device_copy(chunk_start, sizeof chunk_start);

    /* The hyperparameters' defaults, in the order of adam.cuh; the step count starts at 0. */
    const double h[] = { 0.001, 0.9, 0.999, 1e-07, 0.0, 0.0 };
    double s[] = { 0.0 };
    const double t0 = 0.0;
    double *h_device = (double *)device_copy(h, sizeof h);
    double *s_device = (double *)device_copy(s, sizeof s);
    double *t_device = (double *)device_copy(&t0, sizeof t0);
    double *k_device = NULL;
    CHECK(cudaMalloc((void **)&k_device, N_SCALARS * sizeof(double)));

    CHECK(ocg_adam_no_amsgrad_step_cuda(h_device, s_device, t_device, k_device, 0));
    CHECK(ocg_adam_no_amsgrad_f32(list, k_device, NULL, 1.0, 0.0, 0));
    CHECK(cudaDeviceSynchronize());

    double k[N_SCALARS];
    ocg_adam_no_amsgrad_step(h, s, 1.0, k); /* the same step program, on the host */
    int bad = 0;
    for (int t = 0; t < N_TENSORS; ++t) {
        float *result[N_ARRAYS];
        for (int a = 0; a < N_ARRAYS; ++a) {
            result[a] = (float *)malloc((size_t)numel[t] * sizeof(float));
            CHECK(cudaMemcpy(result[a], pointers[t * N_ARRAYS + a],
                             (size_t)numel[t] * sizeof(float), cudaMemcpyDeviceToHost));
        }
        for (int64_t i = 0; i < numel[t]; ++i) {
            float expected[N_ARRAYS];
            ocg_adam_no_amsgrad_element_f32(host[t][0][i], host[t][1][i], host[t][2][i],
                                            host[t][3][i], (float)k[0], (float)k[1], (float)k[2],
                                            (float)k[3], (float)k[4], (float)k[5], (float)k[6],
                                            &expected[0], &expected[2], &expected[3]);
            for (int a = 0; a < N_ARRAYS; ++a) {
                if (a == 1) {
                    continue; /* the gradient is read only */
                }
                if (fabsf(result[a][i] - expected[a]) > 1e-6F * (1.0F + fabsf(expected[a]))) {
                    if (bad++ < 5) {
                        fprintf(stderr, "tensor %d array %d element %lld: %g, expected %g\n", t, a,
                                (long long)i, result[a][i], expected[a]);
                    }
                }
            }
        }
        for (int a = 0; a < N_ARRAYS; ++a) {
            free(result[a]);
            free(host[t][a]);
            CHECK(cudaFree(pointers[t * N_ARRAYS + a]));
        }
    }
    printf("Adam (amsgrad=False): %lld elements, %d mismatches\n", (long long)(numel[0] + numel[1]),
           bad);
    return bad != 0;
}
