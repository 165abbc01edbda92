/*
 * fakecuda.c: a CPU stand-in for the parts of the CUDA runtime, cuBLAS, cuBLASLt, cuDNN 9, NVRTC
 * and the CUDA driver API that runner/cudnn calls, written from the documented C prototypes
 * (cuda_runtime_api.h, cublas_api.h, cublasLt.h, cudnn_ops.h, cudnn_cnn.h, nvrtc.h, cuda.h). The
 * test builds it into one shared object and installs copies under the CUDA 13 wheel names (and
 * libcuda.so.1), so the Go side's loading, symbol lookup and every argument of every call go
 * through the real purego path with no GPU. "Device" memory is host memory; stream capture
 * records calls and graph launch replays them. The backend's own kernel (../dwkernel.cu) is
 * compiled here as C through cudashim.h and its grid runs on the CPU when launched.
 * Test-only: the Go module itself never uses cgo.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef uintptr_t u;

/* ---- shared state (all copies bind to the first loaded definition) ---- */
int fake_capturing;
struct rec { int kind; u a[18]; double d; };
struct graph { int n, cap; struct rec *r; };
struct graph *fake_cur;
long fake_calls;      /* compute calls executed, for the test to read via dlsym */
int fake_packed_only; /* set by the test: refuse strided conv tensors like a strict library */
int fake_nvrtc_fail;  /* set by the test: nvrtcCompileProgram fails with a log */
int fake_lt_mode;     /* set by the test: 1 no cuBLASLt algorithm at all, 2 none for row-major A or B,
                         3 bias epilogues accepted for a row-order D, 4 no epilogue but DEFAULT for one */
int fake_wrong;       /* set by the test: 1 the own kernel, 2 cublasLtMatmul, writes one wrong element */

enum { K_CONV = 1, K_CBA, K_ADD, K_TRANSFORM, K_ACT, K_POOL, K_BN, K_GEMM, K_OP, K_EVENT, K_M3D, K_LT, K_LAUNCH };

struct tdesc { int n, c, h, w, ns, cs, hs, ws, dtype; };
struct fdesc { int k, c, h, w, dtype, format; };
struct cdesc { int ph, pw, sh, sw, dh, dw, mode, ctype, groups, math; };
struct adesc { int mode, nan; double coef; };
struct pdesc { int mode, nan, wh, ww, ph, pw, sh, sw; };

/* ---- CUDA runtime ---- */
int cudaGetDeviceCount(int *n) { *n = 1; return 0; }
int cudaSetDevice(int d) { return d == 0 ? 0 : 101; }
int cudaGetDeviceProperties_v2(char *prop, int d) { (void)d; strcpy(prop, "Fake GPU (CPU stand-in)"); return 0; }
int cudaDriverGetVersion(int *v) { *v = 13000; return 0; }
int cudaRuntimeGetVersion(int *v) { *v = 13000; return 0; }
int cudaMemGetInfo(size_t *free_, size_t *total) { *free_ = (size_t)8 << 30; *total = (size_t)16 << 30; return 0; }
/* cudaMalloc does not clear device memory: fill it with a pattern (every
 * byte 0x7f: floats of 3.39e38) so that code reading memory it never wrote,
 * or reading what it should ignore, fails every time, not only when the
 * allocator happens to hand back a used block. */
long long fake_live_allocs; /* cudaMalloc'd blocks not yet freed, read by the leak test */
int cudaMalloc(void **p, size_t n) {
	size_t size = (n + 255) / 256 * 256;
	*p = aligned_alloc(256, size);
	if (!*p) return 2;
	memset(*p, 0x7f, size);
	fake_live_allocs++;
	return 0;
}
int cudaFree(void *p) {
	if (p) fake_live_allocs--;
	free(p);
	return 0;
}
int cudaMemcpy(void *dst, const void *src, size_t n, int kind) { if (kind < 1 || kind > 3) return 21; memcpy(dst, src, n); return 0; }
int cudaMemcpyAsync(void *dst, const void *src, size_t n, int kind, void *s) { (void)s; if (fake_capturing) return 900; return cudaMemcpy(dst, src, n, kind); }
int cudaStreamCreateWithFlags(void **s, unsigned f) { (void)f; *s = malloc(8); return 0; }
int cudaStreamSynchronize(void *s) { (void)s; return fake_capturing ? 900 : 0; }
int cudaEventCreate(double **e) { *e = calloc(1, sizeof(double)); return 0; }
int cudaEventDestroy(double *e) { free(e); return 0; }
int cudaEventRecord(double *e, void *s) {
	(void)s;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	*e = t.tv_sec * 1e3 + t.tv_nsec / 1e6;
	return 0;
}
int cudaEventSynchronize(double *e) { (void)e; return 0; }
int cudaEventElapsedTime(float *ms, double *a, double *b) { *ms = (float)(*b - *a); return 0; }
int cudaStreamBeginCapture(void *s, int mode) {
	(void)s;
	if (mode != 2 || fake_capturing) return 1;
	fake_capturing = 1;
	fake_cur = calloc(1, sizeof *fake_cur);
	return 0;
}
int cudaStreamEndCapture(void *s, struct graph **g) { (void)s; if (!fake_capturing) return 1; fake_capturing = 0; *g = fake_cur; fake_cur = 0; return 0; }
int cudaGraphInstantiate(struct graph **exec, struct graph *g, unsigned long long flags) { if (flags) return 1; *exec = g; return 0; }
int cudaGraphExecDestroy(struct graph *e) { (void)e; return 0; }
int cudaGraphDestroy(struct graph *g) { free(g->r); g->r = 0; g->n = -1; free(g); return 0; }
const char *cudaGetErrorString(int e) { return e == 900 ? "operation not permitted when stream is capturing" : "fake cuda error"; }

static int record(int kind, const u *a, int n, double d) {
	struct graph *g = fake_cur;
	if (g->n == g->cap) { g->cap = g->cap ? 2 * g->cap : 64; g->r = realloc(g->r, g->cap * sizeof *g->r); }
	g->r[g->n].kind = kind;
	memcpy(g->r[g->n].a, a, n * sizeof(u));
	g->r[g->n].d = d;
	g->n++;
	return 0;
}

/* ---- element addressing ---- */
static float *at(const struct tdesc *d, void *p, int n, int c, int h, int w) {
	return (float *)p + (long)n * d->ns + (long)c * d->cs + (long)h * d->hs + (long)w * d->ws;
}

/* ---- cuBLAS ---- */
int cublasCreate_v2(void **h) { *h = malloc(8); return 0; }
int cublasSetStream_v2(void *h, void *s) { (void)h; (void)s; return 0; }
int cublasSetWorkspace_v2(void *h, void *w, size_t n) { (void)h; return w && n ? 0 : 7; }
int cublasSetMathMode(void *h, int m) { (void)h; return (m == 0 || m == 3) ? 0 : 7; }
static int do_gemm(const u *a) {
	int ta = a[1], tb = a[2], m = a[3], n = a[4], k = a[5], lda = a[8], ldb = a[10], ldc = a[13];
	const float *A = (float *)a[7], *B = (float *)a[9];
	float al = *(float *)a[6], be = *(float *)a[11], *C = (float *)a[12];
	if (ta > 1 || tb > 1 || lda < (ta ? k : m) || ldb < (tb ? n : k) || ldc < m) return 7;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0;
			for (int l = 0; l < k; l++)
				s += (double)(ta ? A[l + i * lda] : A[i + l * lda]) * (tb ? B[j + l * ldb] : B[l + j * ldb]);
			C[i + j * ldc] = al * s + (be != 0 ? be * C[i + j * ldc] : 0);
		}
	fake_calls++;
	return 0;
}
int cublasSgemm_v2(u h, u ta, u tb, u m, u n, u k, u al, u A, u lda, u B, u ldb, u be, u C, u ldc) {
	u a[] = {h, ta, tb, m, n, k, al, A, lda, B, ldb, be, C, ldc};
	return fake_capturing ? record(K_GEMM, a, 14, 0) : do_gemm(a);
}

/* ---- cuDNN ---- */
int cudnnCreate(void **h) { *h = malloc(8); return 0; }
int cudnnSetStream(void *h, void *s) { (void)h; (void)s; return 0; }
size_t cudnnGetVersion(void) { return 91900; }
const char *cudnnGetErrorString(int s) { return s == 9 ? "CUDNN_STATUS_NOT_SUPPORTED" : "CUDNN_STATUS_BAD_PARAM"; }
int cudnnCreateTensorDescriptor(struct tdesc **d) { *d = calloc(1, sizeof **d); return 0; }
int cudnnSetTensor4dDescriptorEx(struct tdesc *d, int dt, int n, int c, int h, int w, int ns, int cs, int hs, int ws) {
	if (dt != 0 || n < 1 || c < 1 || h < 1 || w < 1 || ns < 1 || cs < 1 || hs < 1 || ws < 1) return 3;
	*d = (struct tdesc){n, c, h, w, ns, cs, hs, ws, dt};
	return 0;
}
int cudnnDestroyTensorDescriptor(struct tdesc *d) { free(d); return 0; }
int cudnnCreateFilterDescriptor(struct fdesc **d) { *d = calloc(1, sizeof **d); return 0; }
int cudnnSetFilter4dDescriptor(struct fdesc *d, int dt, int format, int k, int c, int h, int w) {
	if (dt != 0 || format != 0) return 3;
	*d = (struct fdesc){k, c, h, w, dt, format};
	return 0;
}
int cudnnDestroyFilterDescriptor(struct fdesc *d) { free(d); return 0; }
int cudnnCreateConvolutionDescriptor(struct cdesc **d) { *d = calloc(1, sizeof **d); (*d)->groups = 1; return 0; }
int cudnnSetConvolution2dDescriptor(struct cdesc *d, int ph, int pw, int sh, int sw, int dh, int dw, int mode, int ct) {
	if (sh < 1 || sw < 1 || dh != 1 || dw != 1 || ct != 0) return 3;
	d->ph = ph, d->pw = pw, d->sh = sh, d->sw = sw, d->dh = dh, d->dw = dw, d->mode = mode, d->ctype = ct;
	return 0;
}
int cudnnSetConvolutionGroupCount(struct cdesc *d, int g) { if (g < 1) return 3; d->groups = g; return 0; }
int cudnnSetConvolutionMathType(struct cdesc *d, int m) { if (m != 0 && m != 3) return 3; d->math = m; return 0; }
int cudnnDestroyConvolutionDescriptor(struct cdesc *d) { free(d); return 0; }

static int packed(const struct tdesc *d) {
	return d->ws == 1 && d->hs == d->w && d->cs == d->h * d->w && (d->n == 1 || d->ns == d->c * d->h * d->w);
}
static int conv_ok(const struct tdesc *x, const struct fdesc *w, const struct cdesc *c, const struct tdesc *y) {
	if (fake_packed_only && (!packed(x) || !packed(y))) return 0;
	return w->c * c->groups == x->c && w->k == y->c && w->k % c->groups == 0 && x->n == y->n &&
	       y->h == (x->h + 2 * c->ph - w->h) / c->sh + 1 && y->w == (x->w + 2 * c->pw - w->w) / c->sw + 1;
}

/* cudnnConvolutionFwdAlgoPerf_t */
struct perf { int algo, status; float time; size_t memory; int determinism, mathType, reserved[3]; };

/* Algorithm 6 pretends to be a tensor-core (TF32) kernel, listed first; algorithm 1
 * (IMPLICIT_PRECOMP_GEMM) is an FMA one and needs a 4 KiB workspace; algorithm 0 (IMPLICIT_GEMM)
 * is an FMA one without workspace. */
int cudnnFindConvolutionForwardAlgorithm(void *h, struct tdesc *x, struct fdesc *w, struct cdesc *c, struct tdesc *y,
                                         int req, int *got, struct perf *p) {
	(void)h;
	if (fake_capturing) return 9;
	if (!conv_ok(x, w, c, y) || req < 3) return 3;
	memset(p, 0, 3 * sizeof *p);
	p[0] = (struct perf){6, 0, 0.01f, 0, 1, 1, {0}};
	p[1] = (struct perf){1, 0, 0.02f, 4096, 1, 3, {0}};
	p[2] = (struct perf){0, 0, 0.03f, 0, 1, 3, {0}};
	*got = 3;
	return 0;
}

static int do_conv(const u *a, int cba) {
	/* conv: h alpha xD x wD w convD algo ws wsSize beta yD y
	 * cba:  h alpha1 xD x wD w convD algo ws wsSize alpha2 zD z biasD bias actD yD y */
	const struct tdesc *xd = (void *)a[2], *yd = (void *)a[cba ? 16 : 11];
	const struct fdesc *wd = (void *)a[4];
	const struct cdesc *cd = (void *)a[6];
	void *x = (void *)a[3], *y = (void *)a[cba ? 17 : 12];
	const float *w = (float *)a[5];
	int algo = a[7];
	float alpha = *(float *)a[1];
	if (!conv_ok(xd, wd, cd, yd) || cd->mode != 1) return 3;
	if (algo != 0 && algo != 1 && algo != 6) return 3;
	if (algo == 6 && cd->math == 3) return 9; /* tensor cores on an FMA-only descriptor */
	if (algo == 1 && (!a[8] || a[9] < 4096)) return 3; /* workspace too small */
	const struct tdesc *zd = 0, *bd = 0;
	const struct adesc *act = 0;
	void *z = 0, *b = 0;
	float alpha2 = 0, beta = 0;
	if (cba) {
		alpha2 = *(float *)a[10], zd = (void *)a[11], z = (void *)a[12], bd = (void *)a[13], b = (void *)a[14];
		act = (void *)a[15];
		/* RELU with any algorithm; IDENTITY only with IMPLICIT_PRECOMP_GEMM (cudnn_cnn.h docs) */
		if (act->mode != 1 && !(act->mode == 5 && algo == 1)) return 9;
		if (bd->c != yd->c || bd->n != 1 || bd->h != 1 || bd->w != 1) return 9;
		if (zd->n != yd->n || zd->c != yd->c || zd->h != yd->h || zd->w != yd->w) return 3;
	} else {
		beta = *(float *)a[10];
	}
	int opg = wd->k / cd->groups;
	float *tmp = malloc(sizeof(float) * yd->n * yd->c * yd->h * yd->w);
	long t = 0;
	for (int n = 0; n < yd->n; n++)
		for (int o = 0; o < yd->c; o++)
			for (int i = 0; i < yd->h; i++)
				for (int j = 0; j < yd->w; j++) {
					double s = 0;
					for (int ci = 0; ci < wd->c; ci++)
						for (int kh = 0; kh < wd->h; kh++)
							for (int kw = 0; kw < wd->w; kw++) {
								int ih = i * cd->sh - cd->ph + kh, iw = j * cd->sw - cd->pw + kw;
								if (ih < 0 || iw < 0 || ih >= xd->h || iw >= xd->w) continue;
								s += (double)w[((o * wd->c + ci) * wd->h + kh) * wd->w + kw] *
								     *at(xd, x, n, (o / opg) * wd->c + ci, ih, iw);
							}
					double v = alpha * s;
					if (cba) {
						/* alpha2 0 (the backend passes z = y): z is not read, as beta 0
						 * means y is not read; 0 * a stale inf would be NaN */
						if (alpha2 != 0) v += alpha2 * *at(zd, z, n, o, i, j);
						v += *at(bd, b, 0, o, 0, 0);
						if (act->mode == 1) v = v > 0 ? v : 0;
					} else if (beta != 0) {
						v += beta * *at(yd, y, n, o, i, j);
					}
					tmp[t++] = (float)v;
				}
	t = 0;
	for (int n = 0; n < yd->n; n++)
		for (int o = 0; o < yd->c; o++)
			for (int i = 0; i < yd->h; i++)
				for (int j = 0; j < yd->w; j++) *at(yd, y, n, o, i, j) = tmp[t++];
	free(tmp);
	fake_calls++;
	return 0;
}
int cudnnConvolutionForward(u h, u al, u xd, u x, u wd, u w, u cd, u algo, u ws, u wss, u be, u yd, u y) {
	u a[] = {h, al, xd, x, wd, w, cd, algo, ws, wss, be, yd, y};
	return fake_capturing ? record(K_CONV, a, 13, 0) : do_conv(a, 0);
}
int cudnnConvolutionBiasActivationForward(u h, u al, u xd, u x, u wd, u w, u cd, u algo, u ws, u wss, u al2, u zd, u z,
                                          u bd, u b, u ad, u yd, u y) {
	u a[] = {h, al, xd, x, wd, w, cd, algo, ws, wss, al2, zd, z, bd, b, ad, yd, y};
	return fake_capturing ? record(K_CBA, a, 18, 0) : do_conv(a, 1);
}

/* generic element-wise walk over y's dims; x may broadcast (dims of 1) */
static int same_or_one(const struct tdesc *x, const struct tdesc *y) {
	return (x->n == y->n || x->n == 1) && (x->c == y->c || x->c == 1) && (x->h == y->h || x->h == 1) && (x->w == y->w || x->w == 1);
}
static int do_ew(const u *a, int kind, double d) {
	/* add:       h alpha aD A beta cD C
	 * transform: h alpha xD x beta yD y
	 * act:       h actD alpha xD x beta yD y
	 * bn:        h mode alpha beta xD x yD y bnD scale bias mean var (eps in d) */
	const struct tdesc *xd, *yd;
	void *x, *y;
	float alpha, beta;
	const struct adesc *act = 0;
	const struct tdesc *bnd = 0;
	if (kind == K_ACT) {
		act = (void *)a[1], alpha = *(float *)a[2], xd = (void *)a[3], x = (void *)a[4], beta = *(float *)a[5], yd = (void *)a[6], y = (void *)a[7];
	} else if (kind == K_BN) {
		if (a[1] != 1) return 3;
		alpha = *(float *)a[2], beta = *(float *)a[3], xd = (void *)a[4], x = (void *)a[5], yd = (void *)a[6], y = (void *)a[7];
		bnd = (void *)a[8];
		if (bnd->c != xd->c || bnd->n != 1 || bnd->h != 1 || bnd->w != 1 || d < 1e-5 - 1e-12) return 3;
	} else {
		alpha = *(float *)a[1], xd = (void *)a[2], x = (void *)a[3], beta = *(float *)a[4], yd = (void *)a[5], y = (void *)a[6];
	}
	if (kind == K_ADD ? !same_or_one(xd, yd) : (xd->n != yd->n || xd->c != yd->c || xd->h != yd->h || xd->w != yd->w)) return 3;
	long total = (long)yd->n * yd->c * yd->h * yd->w, t = 0;
	float *tmp = malloc(sizeof(float) * total);
	for (int n = 0; n < yd->n; n++)
		for (int c = 0; c < yd->c; c++)
			for (int i = 0; i < yd->h; i++)
				for (int j = 0; j < yd->w; j++) {
					double v = *at(xd, x, n % xd->n, c % xd->c, i % xd->h, j % xd->w);
					if (kind == K_ACT) {
						v = v > 0 ? v : 0;
						if (act->mode == 3 && v > act->coef) v = act->coef;
						else if (act->mode != 1 && act->mode != 3) { free(tmp); return 9; }
					} else if (kind == K_BN) {
						const float *sc = (float *)a[9], *bi = (float *)a[10], *mu = (float *)a[11], *var = (float *)a[12];
						v = (v - mu[c]) / sqrt(var[c] + d) * sc[c] + bi[c];
					}
					v *= alpha;
					if (beta != 0) v += beta * *at(yd, y, n, c, i, j);
					tmp[t++] = (float)v;
				}
	t = 0;
	for (int n = 0; n < yd->n; n++)
		for (int c = 0; c < yd->c; c++)
			for (int i = 0; i < yd->h; i++)
				for (int j = 0; j < yd->w; j++) *at(yd, y, n, c, i, j) = tmp[t++];
	free(tmp);
	fake_calls++;
	return 0;
}
int cudnnAddTensor(u h, u al, u ad, u A, u be, u cd, u C) {
	u a[] = {h, al, ad, A, be, cd, C};
	return fake_capturing ? record(K_ADD, a, 7, 0) : do_ew(a, K_ADD, 0);
}
int cudnnTransformTensor(u h, u al, u xd, u x, u be, u yd, u y) {
	u a[] = {h, al, xd, x, be, yd, y};
	return fake_capturing ? record(K_TRANSFORM, a, 7, 0) : do_ew(a, K_TRANSFORM, 0);
}
int cudnnCreateActivationDescriptor(struct adesc **d) { *d = calloc(1, sizeof **d); return 0; }
int cudnnSetActivationDescriptor(struct adesc *d, int mode, int nan, double coef) { d->mode = mode, d->nan = nan, d->coef = coef; return 0; }
int cudnnDestroyActivationDescriptor(struct adesc *d) { free(d); return 0; }
int cudnnActivationForward(u h, u ad, u al, u xd, u x, u be, u yd, u y) {
	u a[] = {h, ad, al, xd, x, be, yd, y};
	return fake_capturing ? record(K_ACT, a, 8, 0) : do_ew(a, K_ACT, 0);
}
int cudnnBatchNormalizationForwardInference(u h, int mode, u al, u be, u xd, u x, u yd, u y, u bnd, u sc, u bi, u mu, u var, double eps) {
	u a[] = {h, (u)mode, al, be, xd, x, yd, y, bnd, sc, bi, mu, var};
	return fake_capturing ? record(K_BN, a, 13, eps) : do_ew(a, K_BN, eps);
}
struct odesc { int op, ctype, nan; };
int cudnnCreateOpTensorDescriptor(struct odesc **d) { *d = calloc(1, sizeof **d); return 0; }
int cudnnSetOpTensorDescriptor(struct odesc *d, int op, int ct, int nan) { if (ct != 0) return 3; d->op = op, d->ctype = ct, d->nan = nan; return 0; }
int cudnnDestroyOpTensorDescriptor(struct odesc *d) { free(d); return 0; }
/* C = op(alpha1*A, alpha2*B) + beta*C: h opD alpha1 aD A alpha2 bD B beta cD C */
static int do_op(const u *a) {
	const struct odesc *o = (void *)a[1];
	const struct tdesc *ad = (void *)a[3], *bd = (void *)a[6], *cd = (void *)a[9];
	void *A = (void *)a[4], *B = (void *)a[7], *C = (void *)a[10];
	float a1 = *(float *)a[2], a2 = *(float *)a[5], be = *(float *)a[8];
	if (o->op != 0) return 9;
	if (ad->n != cd->n || ad->c != cd->c || ad->h != cd->h || ad->w != cd->w || !same_or_one(bd, cd)) return 3;
	for (int n = 0; n < cd->n; n++)
		for (int c = 0; c < cd->c; c++)
			for (int i = 0; i < cd->h; i++)
				for (int j = 0; j < cd->w; j++) {
					float *y = at(cd, C, n, c, i, j);
					double v = a1 * *at(ad, A, n, c, i, j) + a2 * *at(bd, B, n % bd->n, c % bd->c, i % bd->h, j % bd->w);
					*y = (float)(v + (be != 0 ? be * *y : 0));
				}
	fake_calls++;
	return 0;
}
int cudnnOpTensor(u h, u od, u a1, u ad, u A, u a2, u bd, u B, u be, u cd, u C) {
	u a[] = {h, od, a1, ad, A, a2, bd, B, be, cd, C};
	return fake_capturing ? record(K_OP, a, 11, 0) : do_op(a);
}

int cudnnCreatePoolingDescriptor(struct pdesc **d) { *d = calloc(1, sizeof **d); return 0; }
int cudnnSetPooling2dDescriptor(struct pdesc *d, int mode, int nan, int wh, int ww, int ph, int pw, int sh, int sw) {
	if (mode < 0 || mode > 2 || wh < 1 || ww < 1 || sh < 1 || sw < 1) return 3;
	*d = (struct pdesc){mode, nan, wh, ww, ph, pw, sh, sw};
	return 0;
}
int cudnnDestroyPoolingDescriptor(struct pdesc *d) { free(d); return 0; }
static int do_pool(const u *a) {
	const struct pdesc *p = (void *)a[1];
	const struct tdesc *xd = (void *)a[3], *yd = (void *)a[6];
	void *x = (void *)a[4], *y = (void *)a[7];
	float alpha = *(float *)a[2];
	if (yd->h != (xd->h + 2 * p->ph - p->wh) / p->sh + 1 || yd->w != (xd->w + 2 * p->pw - p->ww) / p->sw + 1 || xd->c != yd->c) return 3;
	for (int n = 0; n < yd->n; n++)
		for (int c = 0; c < yd->c; c++)
			for (int i = 0; i < yd->h; i++)
				for (int j = 0; j < yd->w; j++) {
					double m = -INFINITY, s = 0;
					int cnt = 0;
					for (int kh = 0; kh < p->wh; kh++)
						for (int kw = 0; kw < p->ww; kw++) {
							int ih = i * p->sh - p->ph + kh, iw = j * p->sw - p->pw + kw;
							if (ih < 0 || iw < 0 || ih >= xd->h || iw >= xd->w) continue;
							double v = *at(xd, x, n, c, ih, iw);
							m = v > m ? v : m, s += v, cnt++;
						}
					double v = p->mode == 0 ? m : p->mode == 1 ? s / (p->wh * p->ww) : s / cnt;
					*at(yd, y, n, c, i, j) = (float)(alpha * v);
				}
	fake_calls++;
	return 0;
}
int cudnnPoolingForward(u h, u pd, u al, u xd, u x, u be, u yd, u y) {
	u a[] = {h, pd, al, xd, x, be, yd, y};
	return fake_capturing ? record(K_POOL, a, 8, 0) : do_pool(a);
}

/* struct cudaMemcpy3DParms (driver_types.h), linear memory only (no CUDA arrays). */
struct cpos { size_t x, y, z; };
struct cpptr { void *ptr; size_t pitch, xsize, ysize; };
struct cext { size_t width, height, depth; };
struct m3d {
	void *srcArray; struct cpos srcPos; struct cpptr srcPtr;
	void *dstArray; struct cpos dstPos; struct cpptr dstPtr;
	struct cext extent; int kind;
};
static int do_m3d(const struct m3d *p) {
	if (p->srcArray || p->dstArray || p->kind != 3) return 1; /* cudaMemcpyDeviceToDevice */
	if (p->extent.width > p->srcPtr.pitch || p->extent.width > p->dstPtr.pitch) return 1;
	if (p->extent.height > p->srcPtr.ysize || p->extent.height > p->dstPtr.ysize) return 1;
	for (size_t z = 0; z < p->extent.depth; z++)
		for (size_t y = 0; y < p->extent.height; y++) {
			const char *src = (const char *)p->srcPtr.ptr + ((z + p->srcPos.z) * p->srcPtr.ysize + y + p->srcPos.y) * p->srcPtr.pitch + p->srcPos.x;
			char *dst = (char *)p->dstPtr.ptr + ((z + p->dstPos.z) * p->dstPtr.ysize + y + p->dstPos.y) * p->dstPtr.pitch + p->dstPos.x;
			memcpy(dst, src, p->extent.width);
		}
	fake_calls++;
	return 0;
}
int cudaMemcpy3DAsync(const struct m3d *p, void *s) {
	(void)s;
	u a[] = {(u)p};
	return fake_capturing ? record(K_M3D, a, 1, 0) : do_m3d(p);
}

/* cudaEventRecordExternal (1) is only valid during capture, where it records an event node. */
int cudaEventRecordWithFlags(double *e, void *s, unsigned flags) {
	if (flags == 0) return cudaEventRecord(e, s);
	if (flags != 1 || !fake_capturing) return 1;
	u a[] = {(u)e};
	return record(K_EVENT, a, 1, 0);
}

/* ---- cuBLASLt (cublasLt.h) ---- */
struct ltdesc { int compute, scale, ta, tb; unsigned epi; const float *bias; };
struct ltlayout { unsigned type; int order, batch; unsigned long long rows, cols; long long ld, stride; };
struct ltpref { unsigned long long maxws; unsigned align[4]; };
/* cublasLtMatmulHeuristicResult_t: algo (8 x uint64), workspaceSize, state, wavesCount, reserved[4] */
struct lthres { unsigned long long algo[8]; size_t ws; int state; float waves; int reserved[4]; };

int cublasLtCreate(void **h) { *h = malloc(8); return 0; }
int cublasLtMatmulDescCreate(struct ltdesc **d, int compute, int scale) {
	if (compute != 68 && compute != 77) return 7; /* CUBLAS_COMPUTE_32F, _FAST_TF32 */
	if (scale != 0) return 7;
	*d = calloc(1, sizeof **d);
	(*d)->compute = compute, (*d)->scale = scale, (*d)->epi = 1;
	return 0;
}
int cublasLtMatmulDescDestroy(struct ltdesc *d) { free(d); return 0; }
int cublasLtMatmulDescSetAttribute(struct ltdesc *d, int attr, const void *buf, size_t n) {
	switch (attr) {
	case 3: if (n != 4) return 7; d->ta = *(const int *)buf; return d->ta > 1 ? 7 : 0;  /* TRANSA */
	case 4: if (n != 4) return 7; d->tb = *(const int *)buf; return d->tb > 1 ? 7 : 0;  /* TRANSB */
	case 7: if (n != 4) return 7; d->epi = *(const unsigned *)buf; return 0;            /* EPILOGUE */
	case 8: if (n != 8) return 7; d->bias = *(float *const *)buf; return 0;             /* BIAS_POINTER */
	}
	return 7;
}
int cublasLtMatrixLayoutCreate(struct ltlayout **l, unsigned type, unsigned long long rows, unsigned long long cols, long long ld) {
	if (type != 0 || rows == 0 || cols == 0) return 7;
	*l = calloc(1, sizeof **l);
	**l = (struct ltlayout){type, 0, 1, rows, cols, ld, 0};
	return 0;
}
int cublasLtMatrixLayoutDestroy(struct ltlayout *l) { free(l); return 0; }
int cublasLtMatrixLayoutSetAttribute(struct ltlayout *l, int attr, const void *buf, size_t n) {
	switch (attr) {
	case 1: if (n != 4) return 7; l->order = *(const int *)buf; return l->order > 1 ? 7 : 0; /* ORDER (COL, ROW only) */
	case 5: if (n != 4) return 7; l->batch = *(const int *)buf; return l->batch < 1 ? 7 : 0; /* BATCH_COUNT */
	case 6: if (n != 8) return 7; l->stride = *(const long long *)buf; return 0;            /* STRIDED_BATCH_OFFSET */
	}
	return 7;
}
int cublasLtMatmulPreferenceCreate(struct ltpref **p) { *p = calloc(1, sizeof **p); return 0; }
int cublasLtMatmulPreferenceDestroy(struct ltpref *p) { free(p); return 0; }
int cublasLtMatmulPreferenceSetAttribute(struct ltpref *p, int attr, const void *buf, size_t n) {
	if (attr == 1) { if (n != 8) return 7; p->maxws = *(const unsigned long long *)buf; return 0; } /* MAX_WORKSPACE_BYTES */
	if (attr >= 5 && attr <= 8) { /* MIN_ALIGNMENT_{A,B,C,D}_BYTES */
		if (n != 4) return 7;
		unsigned a = *(const unsigned *)buf;
		if (a == 0 || (a & (a - 1))) return 7;
		p->align[attr - 5] = a;
		return 0;
	}
	return 7;
}
static long long lt_at(const struct ltlayout *l, int b, long long i, long long j) {
	return (long long)b * l->stride + (l->order ? i * l->ld + j : i + j * l->ld);
}
static int lt_ld_ok(const struct ltlayout *l) { return l->ld >= (long long)(l->order ? l->cols : l->rows); }
/* The shape checks of a matmul: op(A) m x k, op(B) k x n, C and D m x n, one batch count. */
static int lt_check(const struct ltdesc *d, const struct ltlayout *A, const struct ltlayout *B, const struct ltlayout *C, const struct ltlayout *D) {
	unsigned long long m = d->ta ? A->cols : A->rows, k = d->ta ? A->rows : A->cols;
	unsigned long long kb = d->tb ? B->cols : B->rows, n = d->tb ? B->rows : B->cols;
	if (k != kb || C->rows != m || C->cols != n || D->rows != m || D->cols != n) return 7;
	if (A->batch != D->batch || B->batch != D->batch || C->batch != D->batch) return 7;
	if (!lt_ld_ok(A) || !lt_ld_ok(B) || !lt_ld_ok(C) || !lt_ld_ok(D)) return 7;
	if (d->epi != 1 && d->epi != 2 && d->epi != 4 && d->epi != 6) return 15;
	if ((d->epi & 4) && !d->bias) return 7;
	return 0;
}
int cublasLtMatmulAlgoGetHeuristic(void *h, struct ltdesc *d, struct ltlayout *A, struct ltlayout *B, struct ltlayout *C,
                                   struct ltlayout *D, struct ltpref *p, int req, struct lthres *res, int *got) {
	(void)h;
	if (req < 1) return 7;
	int st = lt_check(d, A, B, C, D);
	if (st) return st;
	if (fake_lt_mode == 1 || (fake_lt_mode == 2 && (A->order || B->order))) return 15; /* CUBLAS_STATUS_NOT_SUPPORTED */
	/* cuBLASLt 13.0 on an H200 refuses the bias epilogues for a row-order D (scripts/gpu-check.sh,
	   2026-12-04); mode 3 accepts them, mode 4 refuses every epilogue but DEFAULT there. */
	if (D->order && (d->epi & 4) && fake_lt_mode != 3) return 15;
	if (D->order && d->epi != 1 && fake_lt_mode == 4) return 15;
	/* two algorithms: id 0 without workspace, id 1 wanting 1 KiB (if allowed) */
	int n = 0;
	for (int id = 0; id < 2 && n < req; id++) {
		size_t ws = id ? 1024 : 0;
		if (ws > p->maxws) continue;
		memset(&res[n], 0, sizeof res[n]);
		res[n].algo[0] = id, res[n].ws = ws, res[n].state = 0, res[n].waves = 1;
		n++;
	}
	*got = n;
	return n ? 0 : 15;
}
static int do_lt(const u *a) {
	/* h desc alpha A Adesc B Bdesc beta C Cdesc D Ddesc algo ws wsSize stream */
	const struct ltdesc *d = (void *)a[1];
	const struct ltlayout *Al = (void *)a[4], *Bl = (void *)a[6], *Cl = (void *)a[9], *Dl = (void *)a[11];
	const float *A = (float *)a[3], *B = (float *)a[5], *C = (float *)a[8];
	float *D = (float *)a[10];
	float alpha = *(float *)a[2], beta = *(float *)a[7];
	const struct lthres *algo = (void *)a[12];
	int st = lt_check(d, Al, Bl, Cl, Dl);
	if (st) return st;
	if (!algo || algo->algo[0] > 1 || a[14] < algo->ws || (algo->ws && !a[13])) return 7;
	long long m = Dl->rows, n = Dl->cols, k = d->ta ? Al->rows : Al->cols;
	float *tmp = malloc(sizeof(float) * m * n);
	for (int b = 0; b < Dl->batch; b++) {
		for (long long i = 0; i < m; i++)
			for (long long j = 0; j < n; j++) {
				double s = 0;
				for (long long l = 0; l < k; l++)
					s += (double)A[d->ta ? lt_at(Al, b, l, i) : lt_at(Al, b, i, l)] * B[d->tb ? lt_at(Bl, b, j, l) : lt_at(Bl, b, l, j)];
				double v = alpha * s;
				if (beta != 0) v += beta * C[lt_at(Cl, b, i, j)];
				if (d->epi & 4) v += d->bias[i]; /* bias per row of D, broadcast over columns */
				if (d->epi & 2) v = v > 0 ? v : 0;
				tmp[i * n + j] = (float)v;
			}
		for (long long i = 0; i < m; i++)
			for (long long j = 0; j < n; j++) D[lt_at(Dl, b, i, j)] = tmp[i * n + j];
	}
	free(tmp);
	if (fake_wrong == 2) D[lt_at(Dl, 0, 0, 0)] += 0.5f;
	fake_calls++;
	return 0;
}
int cublasLtMatmul(u h, u d, u al, u A, u Ad, u B, u Bd, u be, u C, u Cd, u D, u Dd, u algo, u ws, u wss, u s) {
	u a[] = {h, d, al, A, Ad, B, Bd, be, C, Cd, D, Dd, algo, ws, wss, s};
	return fake_capturing ? record(K_LT, a, 16, 0) : do_lt(a);
}

/* ---- NVRTC (nvrtc.h): "compiles" by checking the source and the options ---- */
struct nvprog { char *src; char log[256]; int compiled, cubin; };
int nvrtcVersion(int *maj, int *min) { *maj = 13, *min = 0; return 0; }
const char *nvrtcGetErrorString(int r) { return r == 6 ? "NVRTC_ERROR_COMPILATION" : "NVRTC_ERROR_INVALID_INPUT"; }
int nvrtcCreateProgram(struct nvprog **p, const char *src, const char *name, int nh, const char *const *hs, const char *const *in) {
	(void)name, (void)hs, (void)in;
	if (!src || nh != 0) return 3;
	*p = calloc(1, sizeof **p);
	(*p)->src = strdup(src);
	return 0;
}
int nvrtcCompileProgram(struct nvprog *p, int n, const char *const *opts) {
	int arch = 0;
	for (int i = 0; i < n; i++) {
		if (!strcmp(opts[i], "--gpu-architecture=sm_90")) arch = 1, p->cubin = 1;
		if (!strcmp(opts[i], "--gpu-architecture=compute_90")) arch = 1;
	}
	if (fake_nvrtc_fail) {
		strcpy(p->log, "dwkernel.cu(1): error: fake compilation failure\n");
		return 6;
	}
	if (!arch || !strstr(p->src, "__global__ void explorer_dw3x3_s1(") || !strstr(p->src, "__global__ void explorer_dw3x3_s2(")) {
		strcpy(p->log, "dwkernel.cu: error: not the embedded kernel, or no sm_90/compute_90 target\n");
		return 6;
	}
	p->compiled = 1;
	return 0;
}
int nvrtcGetProgramLogSize(struct nvprog *p, size_t *n) { *n = strlen(p->log) + 1; return 0; }
int nvrtcGetProgramLog(struct nvprog *p, char *log) { strcpy(log, p->log); return 0; }
int nvrtcGetCUBINSize(struct nvprog *p, size_t *n) { if (!p->compiled || !p->cubin) return 3; *n = 10; return 0; }
int nvrtcGetCUBIN(struct nvprog *p, char *out) { if (!p->compiled || !p->cubin) return 3; memcpy(out, "FAKECUBIN", 10); return 0; }
int nvrtcGetPTXSize(struct nvprog *p, size_t *n) { if (!p->compiled) return 3; *n = 8; return 0; }
int nvrtcGetPTX(struct nvprog *p, char *out) { if (!p->compiled) return 3; memcpy(out, "FAKEPTX", 8); return 0; }
int nvrtcDestroyProgram(struct nvprog **p) { free((*p)->src); free(*p); *p = 0; return 0; }

/* ---- CUDA driver API (cuda.h) ---- */
#include "cudashim.h"
#include "../dwkernel.cu"

int fake_ctx;
int cuInit(unsigned f) { return f ? 1 : 0; }
int cuDeviceGet(int *d, int ordinal) { if (ordinal != 0) return 101; *d = 0; return 0; }
int cuDeviceGetAttribute(int *v, int attr, int dev) {
	if (dev != 0) return 101;
	if (attr == 75) { *v = 9; return 0; } /* COMPUTE_CAPABILITY_MAJOR: an sm_90 (Hopper) stand-in */
	if (attr == 76) { *v = 0; return 0; }
	return 1;
}
int cuCtxGetCurrent(void **c) { *c = &fake_ctx; return 0; }
int cuCtxSetCurrent(void *c) { (void)c; return 0; }
int cuDevicePrimaryCtxRetain(void **c, int dev) { (void)dev; *c = &fake_ctx; return 0; }
struct fmod { int loaded; };
int cuModuleLoadData(struct fmod **m, const void *image) {
	if (strcmp(image, "FAKECUBIN") && strcmp(image, "FAKEPTX")) return 200; /* CUDA_ERROR_INVALID_IMAGE */
	*m = calloc(1, sizeof **m);
	(*m)->loaded = 1;
	return 0;
}
/* The kernels' parameters: 4 pointers, 11 ints (dwkernel.cu). */
#define DW_PARAMS 15
static const int dw_sizes[DW_PARAMS] = {8, 8, 8, 8, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4};
static void dw_s1(void **p) {
	explorer_dw3x3_s1(*(const float **)p[0], *(const float **)p[1], *(const float **)p[2], *(float **)p[3], *(int *)p[4],
	                  *(int *)p[5], *(int *)p[6], *(int *)p[7], *(int *)p[8], *(int *)p[9], *(int *)p[10], *(int *)p[11],
	                  *(int *)p[12], *(int *)p[13], *(int *)p[14]);
}
static void dw_s2(void **p) {
	explorer_dw3x3_s2(*(const float **)p[0], *(const float **)p[1], *(const float **)p[2], *(float **)p[3], *(int *)p[4],
	                  *(int *)p[5], *(int *)p[6], *(int *)p[7], *(int *)p[8], *(int *)p[9], *(int *)p[10], *(int *)p[11],
	                  *(int *)p[12], *(int *)p[13], *(int *)p[14]);
}
struct fkern { const char *name; void (*fn)(void **); };
static const struct fkern fake_kernels[] = {{"explorer_dw3x3_s1", dw_s1}, {"explorer_dw3x3_s2", dw_s2}};
int cuModuleGetFunction(const struct fkern **f, struct fmod *m, const char *name) {
	if (!m || !m->loaded) return 400; /* CUDA_ERROR_INVALID_HANDLE */
	for (size_t i = 0; i < sizeof fake_kernels / sizeof fake_kernels[0]; i++)
		if (!strcmp(fake_kernels[i].name, name)) { *f = &fake_kernels[i]; return 0; }
	return 500; /* CUDA_ERROR_NOT_FOUND */
}
const char *cuda_driver_error(int r) { return r == 701 ? "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES" : "fake driver error"; }
int cuGetErrorString(int r, const char **s) { *s = cuda_driver_error(r); return 0; }
static int do_launch(const u *a) {
	/* f gx gy gz bx by bz shmem stream params extra */
	const struct fkern *f = (void *)a[0];
	shim_dim3 grid = {(unsigned)a[1], (unsigned)a[2], (unsigned)a[3]}, block = {(unsigned)a[4], (unsigned)a[5], (unsigned)a[6]};
	void **params = (void **)a[9];
	if (!f || !params || a[10] || a[7]) return 1;
	if (!grid.x || !grid.y || !grid.z || !block.x || !block.y || !block.z) return 1;
	if ((unsigned long long)block.x * block.y * block.z > 1024) return 701;
	shim_launch(f->fn, grid, block, params);
	if (fake_wrong == 1) (*(float **)params[3])[0] += 0.5f;
	fake_calls++;
	return 0;
}
int cuLaunchKernel(u f, u gx, u gy, u gz, u bx, u by, u bz, u shmem, u s, u params, u extra) {
	u a[] = {f, gx, gy, gz, bx, by, bz, shmem, s, params, extra};
	if (!fake_capturing) return do_launch(a);
	/* A captured launch keeps copies of the parameter values, as a graph kernel node does. */
	void **src = (void **)params, **copy = malloc(DW_PARAMS * sizeof *copy);
	char *vals = malloc(DW_PARAMS * 8);
	for (int i = 0; i < DW_PARAMS; i++) {
		memcpy(vals + 8 * i, src[i], dw_sizes[i]);
		copy[i] = vals + 8 * i;
	}
	a[9] = (u)copy;
	return record(K_LAUNCH, a, 11, 0);
}

/* fake_launch runs a kernel by name on the CPU, as cuLaunchKernel would (for the kernel tests). */
int fake_launch(const char *name, unsigned gx, unsigned bx, void **params) {
	for (size_t i = 0; i < sizeof fake_kernels / sizeof fake_kernels[0]; i++)
		if (!strcmp(fake_kernels[i].name, name)) {
			u a[] = {(u)&fake_kernels[i], gx, 1, 1, bx, 1, 1, 0, 0, (u)params, 0};
			return do_launch(a);
		}
	return 500;
}

int cudaGraphLaunch(struct graph *g, void *s) {
	(void)s;
	for (int i = 0; i < g->n; i++) {
		const struct rec *r = &g->r[i];
		int st;
		switch (r->kind) {
		case K_CONV: st = do_conv(r->a, 0); break;
		case K_CBA: st = do_conv(r->a, 1); break;
		case K_ADD: st = do_ew(r->a, K_ADD, 0); break;
		case K_TRANSFORM: st = do_ew(r->a, K_TRANSFORM, 0); break;
		case K_ACT: st = do_ew(r->a, K_ACT, 0); break;
		case K_BN: st = do_ew(r->a, K_BN, r->d); break;
		case K_POOL: st = do_pool(r->a); break;
		case K_GEMM: st = do_gemm(r->a); break;
		case K_OP: st = do_op(r->a); break;
		case K_EVENT: st = cudaEventRecord((double *)r->a[0], 0); break;
		case K_M3D: st = do_m3d((const struct m3d *)r->a[0]); break;
		case K_LT: st = do_lt(r->a); break;
		case K_LAUNCH: st = do_launch(r->a); break;
		default: st = 1;
		}
		if (st) return 719; /* cudaErrorLaunchFailure */
	}
	return 0;
}
