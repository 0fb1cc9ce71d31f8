// The WebAssembly module of the neural-network engine: matrix products and elementwise kernels.
export { gemm_nn, gemm_nt, gemm_tn } from './gemm';
export { relu, relu_backward, add_row_bias, sum_rows, mul, adam, im2col3, col2im3, silu, silu_backward } from './ops';
