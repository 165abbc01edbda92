// dwkernel.cu: the cudnn backend's own depthwise 3x3 convolution (padding 1,
// stride 1 or 2, NCHW fp32) with the folded batch-norm bias and an optional
// ReLU or ReLU6, one output element per thread.
//
// The Go side embeds this file, compiles it at run time with NVRTC and
// launches the kernels through the driver API (nvrtc.go). The same file
// compiles as C with testdata/cudashim.h, which defines the CUDA keywords
// and the thread coordinates, so the fake libraries run the grid on the CPU
// (testdata/fakecuda.c). Keep it to the common subset: no shared memory, no
// __syncthreads, no templates, no C++ headers.
//
// Arguments (all element counts and strides in floats):
//   x, w, b, y  input, weights (c x 3 x 3), bias (c values, or NULL), output
//   n, c        images and channels (depthwise: one filter per channel)
//   h, wd       input height and width
//   oh, ow      output height and width
//   xsn, xsc    input image and channel strides (planes of h*wd contiguous)
//   ysn, ysc    output image and channel strides (planes of oh*ow contiguous)
//   act         0 none, 1 ReLU, 2 ReLU6
// The host guarantees that every index fits an int.

#ifndef EXPLORER_EXTERN_C
#define EXPLORER_EXTERN_C extern "C"
#endif

static __device__ __forceinline__ void explorer_dw3x3(int stride, const float *__restrict__ x,
                                                      const float *__restrict__ w, const float *__restrict__ b,
                                                      float *__restrict__ y, int n, int c, int h, int wd, int oh,
                                                      int ow, int xsn, int xsc, int ysn, int ysc, int act) {
	int plane = oh * ow;
	int total = n * c * plane;
	for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < total; i += gridDim.x * blockDim.x) {
		int p = i / plane; // image * c + channel
		int q = i - p * plane;
		int r = q / ow;
		int s = q - r * ow;
		int img = p / c;
		int ch = p - img * c;
		const float *xp = x + img * xsn + ch * xsc;
		const float *wp = w + ch * 9;
		float acc = b ? b[ch] : 0.0f;
		int ih0 = r * stride - 1;
		int iw0 = s * stride - 1;
		for (int kh = 0; kh < 3; kh++) {
			int ih = ih0 + kh;
			if (ih < 0 || ih >= h) {
				continue;
			}
			for (int kw = 0; kw < 3; kw++) {
				int iw = iw0 + kw;
				if (iw >= 0 && iw < wd) {
					acc += wp[kh * 3 + kw] * xp[ih * wd + iw];
				}
			}
		}
		if (act >= 1) {
			acc = fmaxf(acc, 0.0f);
		}
		if (act == 2) {
			acc = fminf(acc, 6.0f);
		}
		y[img * ysn + ch * ysc + q] = acc;
	}
}

EXPLORER_EXTERN_C __global__ void explorer_dw3x3_s1(const float *__restrict__ x, const float *__restrict__ w,
                                                    const float *__restrict__ b, float *__restrict__ y, int n, int c,
                                                    int h, int wd, int oh, int ow, int xsn, int xsc, int ysn, int ysc,
                                                    int act) {
	explorer_dw3x3(1, x, w, b, y, n, c, h, wd, oh, ow, xsn, xsc, ysn, ysc, act);
}

EXPLORER_EXTERN_C __global__ void explorer_dw3x3_s2(const float *__restrict__ x, const float *__restrict__ w,
                                                    const float *__restrict__ b, float *__restrict__ y, int n, int c,
                                                    int h, int wd, int oh, int ow, int xsn, int xsc, int ysn, int ysc,
                                                    int act) {
	explorer_dw3x3(2, x, w, b, y, n, c, h, wd, oh, ow, xsn, xsc, ysn, ysc, act);
}
