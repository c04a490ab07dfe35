// Courier route seed: nearest-neighbour tour, then a few passes of 2-opt.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <numeric>
#include <vector>
using namespace std;

// EVOLVE-BLOCK-START
constexpr int TWO_OPT_PASSES = 1;      // full 2-opt sweeps after the greedy tour
constexpr double TIME_BUDGET_S = 0.3;  // stop improving after this many seconds
// EVOLVE-BLOCK-END

int main() {
    auto t0 = chrono::steady_clock::now();
    int n;
    if (!(cin >> n)) return 0;
    vector<double> x(n), y(n);
    for (int i = 0; i < n; i++) cin >> x[i] >> y[i];
    auto d = [&](int a, int b) { return hypot(x[a] - x[b], y[a] - y[b]); };
    vector<int> tour{0};
    vector<bool> used(n, false);
    used[0] = true;
    for (int s = 1; s < n; s++) {
        int cur = tour.back(), best = -1;
        for (int j = 0; j < n; j++)
            if (!used[j] && (best < 0 || d(cur, j) < d(cur, best))) best = j;
        used[best] = true;
        tour.push_back(best);
    }
    for (int pass = 0; pass < TWO_OPT_PASSES; pass++) {
        bool improved = false;
        for (int i = 1; i + 1 < n; i++) {
            double el = chrono::duration<double>(chrono::steady_clock::now() - t0).count();
            if (el > TIME_BUDGET_S) break;
            for (int j = i + 1; j < n; j++) {
                int a = tour[i - 1], b = tour[i], c = tour[j], e = tour[(j + 1) % n];
                if (d(a, c) + d(b, e) < d(a, b) + d(c, e) - 1e-9) {
                    reverse(tour.begin() + i, tour.begin() + j + 1);
                    improved = true;
                }
            }
        }
        if (!improved) break;
    }
    for (int i = 0; i < n; i++) cout << tour[i] << (i + 1 < n ? ' ' : '\n');
}
