// Depot placement seed: spread the depots over the customers, then a few rounds of
// weighted Lloyd iterations (move each depot to the centre of the customers it serves).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <numeric>
#include <vector>
using namespace std;

// EVOLVE-BLOCK-START
constexpr int LLOYD_ROUNDS = 2;   // assignment / re-centring rounds
constexpr double PULL = 1.0;      // how far a depot moves towards its centre per round
// EVOLVE-BLOCK-END

int main() {
    int n, k;
    if (!(cin >> n >> k)) return 0;
    vector<double> x(n), y(n), d(n);
    for (int i = 0; i < n; i++) cin >> x[i] >> y[i] >> d[i];
    vector<double> cx(k), cy(k);
    for (int j = 0; j < k; j++) {  // every (n/k)-th customer
        int i = (long long)j * n / k;
        cx[j] = x[i];
        cy[j] = y[i];
    }
    for (int r = 0; r < LLOYD_ROUNDS; r++) {
        vector<double> sx(k, 0), sy(k, 0), sw(k, 0);
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < k; j++)
                if (hypot(x[i] - cx[j], y[i] - cy[j]) < hypot(x[i] - cx[best], y[i] - cy[best])) best = j;
            sx[best] += d[i] * x[i];
            sy[best] += d[i] * y[i];
            sw[best] += d[i];
        }
        for (int j = 0; j < k; j++)
            if (sw[j] > 0) {
                cx[j] += PULL * (sx[j] / sw[j] - cx[j]);
                cy[j] += PULL * (sy[j] / sw[j] - cy[j]);
            }
    }
    for (int j = 0; j < k; j++) {
        int ox = min(1000, max(0, (int)lround(cx[j])));
        int oy = min(1000, max(0, (int)lround(cy[j])));
        cout << ox << ' ' << oy << '\n';
    }
}
