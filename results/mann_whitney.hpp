// Mann-Whitney U (Wilcoxon rank-sum) test for the compare gate: is one set of
// repeat measurements shifted against another? A rank test because benchmark
// repeats are few, rarely normal and prone to outliers; it only asks whether
// values of one side tend to be larger, not by how much (the threshold asks that).
//
// Method, written from the textbook definition: pool both samples, give tied
// values their mid-rank, U_x = R_x - n_x(n_x+1)/2 (R_x = rank sum of x), so U_x
// counts the pairs (x_i, y_j) with x_i > y_j, ties counting one half.
//  * Exact when n_x + n_y <= kExactLimit: the permutation distribution of R_x
//    over all C(n, n_x) ways to label the pooled mid-ranks, counted by dynamic
//    programming over doubled rank sums (mid-ranks are multiples of 1/2). With
//    no ties this is the classic tabulated U distribution; with ties it is the
//    exact conditional distribution given the tie pattern.
//  * Otherwise the normal approximation with tie-corrected variance
//    var = n_x n_y / 12 * ((n+1) - sum(t^3 - t) / (n (n-1))) and a continuity
//    correction of 1/2; error against the exact value is below 0.01 for these n.
#pragma once
#include <cstddef>
#include <vector>

namespace fiokit::results {

inline constexpr size_t kExactLimit = 40;

struct MannWhitney {
  double u_x = 0;         // pairs with x > y (ties count 1/2)
  double u_y = 0;         // n_x * n_y - u_x
  double p_greater = 1;   // one-sided: x tends to be larger than y
  double p_less = 1;      // one-sided: x tends to be smaller than y
  double p_two_sided = 1;  // min(1, 2 * min(p_greater, p_less))
  bool exact = false;
};

// Both samples must be non-empty; otherwise all p-values are 1.
MannWhitney mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y);

// P(U <= u) for samples of n_x and n_y distinct values (no ties): the exact
// null distribution the published critical-value tables are made from.
double mann_whitney_exact_cdf(size_t n_x, size_t n_y, double u);

// The smallest one-sided p-value any data can reach with these sample sizes,
// 1 / C(n_x + n_y, n_x): when it exceeds alpha the test can never be significant.
double mann_whitney_min_p(size_t n_x, size_t n_y);

}  // namespace fiokit::results
