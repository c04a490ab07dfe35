// Cargo loading seed: greedy by value density, then fill what still fits.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <numeric>
#include <vector>
using namespace std;

// EVOLVE-BLOCK-START
constexpr double WEIGHT_SHARE = 0.5;  // how much the weight counts in an item's size
constexpr double SIZE_EXPONENT = 1.0; // density = value / size^SIZE_EXPONENT
// EVOLVE-BLOCK-END

int main() {
    int n;
    long long W, V;
    if (!(cin >> n >> W >> V)) return 0;
    vector<long long> w(n), v(n), p(n);
    for (int i = 0; i < n; i++) cin >> w[i] >> v[i] >> p[i];
    vector<double> key(n);
    for (int i = 0; i < n; i++) {
        double size = WEIGHT_SHARE * w[i] / W + (1.0 - WEIGHT_SHARE) * v[i] / V;
        key[i] = p[i] / pow(max(size, 1e-12), SIZE_EXPONENT);
    }
    vector<int> order(n);
    iota(order.begin(), order.end(), 0);
    sort(order.begin(), order.end(), [&](int a, int b) { return key[a] > key[b]; });
    long long tw = 0, tv = 0;
    vector<int> chosen;
    for (int i : order)
        if (tw + w[i] <= W && tv + v[i] <= V) {
            tw += w[i];
            tv += v[i];
            chosen.push_back(i);
        }
    cout << chosen.size() << '\n';
    for (size_t k = 0; k < chosen.size(); k++) cout << chosen[k] << (k + 1 < chosen.size() ? ' ' : '\n');
    if (chosen.empty()) cout << '\n';
}
