"""The map of [GLR] v3 (C8): one row per checked statement (:data:`PAPER_MAP`) and one per numbered item and
example of the paper (:data:`PAPER_ITEMS`), with how each stands here. The checks whose names these rows gather are
in :mod:`.paper`, :mod:`.paper_neurons` and :mod:`.paper_flows`; the tables are rendered by the report
(:func:`twolayer.report.paper_map_markdown`) and notebook 00.
"""


#: (row, what the statement says, restated; how the suite checks it)
PAPER_MAP = [
    ("Assumption 2.1", "sigma is analytic with c_0 != 0 and non-zero odd and even Taylor coefficients of "
     "arbitrarily high degree (a generic activation)",
     "exact Taylor coefficients: c_0 decided exactly, non-zero odd and even coefficients among degrees 11..20, "
     "no odd/even identity (symmetry class generic)"),
    ("Assumption 2.1 for exp", "exp satisfies Assumption 2.1 in full, every Taylor coefficient included",
     "sigma' = sigma and sigma(0) = 1 decided by sympy: c_k = 1/k! != 0 for every k (a proof, not a window)"),
    ("Assumption 2.1 in full, by boundedness", "tanh(z + 1/2) satisfies Assumption 2.1 in full, every Taylor "
     "coefficient included", "(derived here) its odd and even parts have finite limits at +oo and are not constant, "
     "so neither is a polynomial: infinitely many non-zero odd and even coefficients (sympy limits, exact signs)"),
    ("Lemma 3.1", "a power series sum_j c_j sum_k P_k(j) p_k^(j - l) eps^(j - l) (P_k polynomials of degree < l, "
     "distinct non-zero p_k, c_j != 0 for odd and even j of every size) is a polynomial only when every P_k = 0",
     "exp (every c_j != 0): the window matrix [j^t p_k^j] of rl consecutive j has full rank over Q for 36 seeded "
     "sets (r = 1..4, l = 1..3), which proves the conclusion for every window; with p_k = 0, a repeated p_k, or one "
     "parity of c_j the rank drops (exact)"),
    ("Cor. 3.1", "an analytic sigma is generic iff sigma(w_1.x), ..., sigma(w_r.x) are independent for all r and all "
     "distinct w_k", "exp with w = 0, +-w and w, 2w (d = 1, 2): exact certificates; each way to fail Assumption 2.1 "
     "(odd, even, odd or even up to a polynomial; c_0 = 0 in Finding 8): a dependent family of distinct weights (exact "
     "relations)"),
    ("Remark 3.1", "for analytic non-polynomial sigma the neurons (and with x sigma', Cor. 3.2) are independent when "
     "w_k + w_j != 0 for all k, j; so for sigmoid, tanh and log(1 + e^-z)",
     "the three activations the remark names, d = 1 and 2, with and without x sigma': exact certificates"),
    ("Assumption 3.1", "sigma^(s) decreases rapidly (|sigma^(s)(y)/sigma^(s)(x)| -> oo as |x| - |y| -> oo) and is "
     "asymptotically asymmetric (|sigma^(s)(x)/sigma^(s)(-x)| -> c > 1 at +oo or -oo)",
     "(derived here) tails sigma^(s)(x) ~ C_+- e^(-kappa |x|^q): (a) holds, and (b) iff |C_+| != |C_-|; decided by "
     "sympy's limits for sigmoid, softplus, tanh and their shifts by log 2 (exact)"),
    ("Remark 3.2", "rapid decrease forces sigma^(s) -> 0; in examples (a), (c), (d) and tanh sigma^(s) is even, so "
     "(b) fails; (c) has sigma'(x) e^|x| -> 1; a shift gives both properties",
     "each statement by sympy (evenness by simplify, limits, tail constants); (b) exp(-|x|) is not analytic and is "
     "left out (exact)"),
    ("Prop. 3.1", "under Assumption 3.1, sigma(w_1.x), ..., sigma(w_r.x) are independent for distinct non-zero w_k",
     "the shifted sigmoid, softplus and tanh (which satisfy Assumption 3.1), +-w pairs included, d = 1 and 2: exact "
     "certificates; softplus (only (b) fails): +-1, +-2 dependent"),
    ("Remark 3.3", "e^(-x^2) + (d/dx)^2 1/(1 + e^-x) satisfies Assumption 2.1 and decreases rapidly, but "
     "sigma(x)/sigma(-x) -> -1", "Assumption 2.1 by boundedness, the tail constants -1 and 1, the ratio's limits "
     "(exact); its +-w families independent (exact certificate)"),
    ("Prop. 3.2(c)", "the stratum Q^r_P is affine of dimension (m - r) + (r - m0) d",
     "(r, l) read from each branch C3 enumerates; the formula against (d + 1) m minus the rank of the branch's own "
     "equations at its point (read from the point's structure, not from the enumeration's formula; exact)"),
    ("Lemma 3.6", "a partition with r distinct weights has deficient number l >= max(0, 2r - m - m0)",
     "every enumerated branch (exact)"),
    ("Lemma 3.5", "where the closure of a stratum Q^r_P meets a stratum Q^r'_P',pi, r' <= r - m', m' the classes of "
     "P' (under pi) that are not inside one class of P", "exp, (m0, m, d) up to (2, 4, 1) and (1, 3, 2): every pair of "
     "branches and every permutation; closures as affine sets, the meeting decided by the equal-weight partition that "
     "holds on the whole intersection (exact)"),
    ("Example after Lemma 3.5", "three neurons fitting one: four branches of dimensions 2, 1 + d, 1 + d and 2d, "
     "and three inclusions between their intersections", "the branches the suite enumerates for exp, m = 3, m0 = 1 "
     "and d = 1, 2, 3; the intersections of the printed closures solved and compared by ranks, d = 2 (exact)"),
    ("Lemma 4.1", "R is analytic when sigma is (Cor. 3.3 says it again)", "the hypothesis, sigma real-analytic "
     "on all of R, proven for every library activation by a range enclosure over R (the proof that guards every "
     "user activation; a sigma with a real pole is not certified), and R's expression tree, as the symbolic model "
     "writes it, a polynomial in the a_k and the sigma(w_k.x_i): analytic by composition (exact)"),
    ("Lemma 4.2 rank", "at Q^r_P the Hessian of R has rank r + (r - l) d for separating inputs",
     "certified model rank (C4's exact bracket) at a rational point of each branch"),
    ("Remark 4.1", "Lemma 4.2's rank holds on all of the stratum Q^r_P, or on a dense subset of it",
     "certified model rank at four more distinct seeded rational points of each branch, each compared with "
     "r + (r - l) d (a scan of generic points: a drop there would be a counterexample; agreement supports 'dense', "
     "it does not prove 'all')"),
    ("Lemma 4.2(b) codim", "the separation threshold r + (m + m0 - r) d is the codimension of Q^r_P",
     "the formula against the rank of the branch's own equations at its point (exact)"),
    ("Lemma 4.2(c)", "R is Morse-Bott at Q^r_P iff r >= (m + m0)/2 and l = 2r - m - m0",
     "the criterion against 'certified rank = codim' (the Hessian at a zero of R is 2 J^T J)"),
    ("Lemma 4.2(b) separation", "Q^r_P is separated from the other global minima once n reaches its "
     "threshold, and not below the rank", "C5 sweep on a Morse-Bott branch of a generic activation"),
    ("Lemma 4.3(b)", "for n > (d + 1) m almost all inputs leave no global minimum outside Q*",
     "the certified imperfect minimum at n = (d + 1) m (Finding 4) is destroyed by one more Gaussian sample: "
     "f_theta(x) - f*(x) at the new sample excludes 0 on its whole box"),
    ("Lemma 4.3(b) exact for exp, d = 1", "(derived here) for exp and d = 1 every set of n >= m + m0 distinct "
     "inputs leaves no global minimum outside Q*, and n = m + m0 - 1 may",
     "Rolle: an exponential sum with K terms has at most K - 1 real zeros (checked exactly on 60 sums and attained); "
     "a certified minimum outside Q* at n = m + m0 - 1 for the worked example (m = 2, m0 = 1)"),
    ("Example (c)", "in the worked example, flows with limit in Q1 (n >= 5) are not linear and are biased toward "
     "ker Hess R; flows with limit in Q2, Q3 (n >= 4) converge linearly", "C6 in the example's own setting (exp, "
     "m = 2, d = 2) at n = 5 and 4: decay type read from the data, rates, the bias slope 2, Lojasiewicz exponents"),
    ("Cor. 3.5", "inputs separating for w* stay separating on an open dense set of weights",
     "exp, r = 2, d = 2: certified full rank of the feature matrix on a whole box of weights around w* (open), and at "
     "random distinct weight sets (density probed, not proven)"),
    ("Prop. 4.1", "with m = m0 and n > (d + 1) m0 the representation of f* is unique on almost all inputs",
     "exp, d = 1 and 2: Q* at m = m0 is the target alone (exact); a certified separation radius at n = (d + 1) m0 + 1; "
     "for d = 1, every input set from n = 2 m0 (Rolle's bound)"),
    ("Table 1 (Thm 5.3(a), Cor. 5.1(a))", "near a Morse-Bott branch gradient flow and the loss converge at a "
     "linear rate", "C6 exponential case on a generic activation: fitted rate = 2 lambda"),
    ("Table 1 (Thm 5.3(b), Cor. 5.1(b))", "near a branch that is not Morse-Bott the rate may fail to be linear, "
     "R = O(|gamma - theta*|^4 + e^(-beta t))", "C6 split case on a generic activation: algebraic decay t^-2"),
    ("Thm 5.3(b) bias toward ker Hess", "near a branch that is not Morse-Bott, theta(t) - gamma has its range "
     "part O(|kernel part|^2): Lemma 5.2's |y(t)| = O(|x(t)|^2 + e^(-beta t)) with c > 0 (x the kernel, y the range "
     "coordinates)", "C6 split case: log-log slope of |pi_range| against |pi_kernel| over the last two "
     "decades of t, 2 +- 0.1 (gamma the foot of the run's last point on the branch)"),
    ("Thm 5.1 exponents", "the Lojasiewicz exponent mu lies in [1/2, 1)", "C6's tails: the slope s of "
     "log |grad R| against log R below 1 - 0.05 (|grad R| >= C R^mu with mu < 1 forbids s >= 1); and "
     "mu = 1/2 +- 0.05 at Morse-Bott "
     "limits (|grad R| against R over the exponential tail), mu = 3/4 +- 0.05 at a split point (derived here; "
     "the kernel part of grad R against R)"),
    ("Remark 5.1 (c = 0)", "with c = 0 (no kernel directions across the branch) the normal coordinate y(t) "
     "decays exponentially, as at Morse-Bott points", "C6 at a Morse-Bott limit of a generic activation: "
     "log |theta(t) - theta(oo)| against t over the tail, slope -lambda (half the loss rate) within 1 %"),
    ("Remark 5.1", "with c = 0 the normal part decays exponentially (as at Morse-Bott points); with c > 0 the best "
     "known bound is |z(t) - z*| = O(int_t^oo |x(s)|^2 ds)", "c = 0: the Remark 5.1 (c = 0) row; c > 0, at the "
     "split point of C6: |pi_kernel(theta - gamma)| against t has slope -1/2, so the integral diverges and the bound "
     "says nothing there (measured)"),
    ("Prop. 5.1", "every zero of R is the limit of a non-constant gradient flow", "at a point of the worked "
     "example's null branch (exp, d = 1, n = 5, Morse-Bott): shooting on the start's tangent offset at distance 1/20; "
     "the limit's tangent residual contracts to below 10^-20 in six flows (measured)"),
    ("Example (b)", "for exp, m = 2, m0 = 1 the separation sample sizes are N1 = 5, N2 = N3 = 4",
     "codimensions of the three branches from the enumeration, for d = 1 and d = 2 (exact); in the example's own "
     "setting (d = 2), C5 at a point of Q2: a certified radius from n = 4 and a certified non-generalizing minimum at "
     "n = 3, so N2 = 4 is sharp there"),
    ("Theorem 2.1", "each branch has a threshold N_t <= m (d + 1), strict when m > m0, from which it is separated",
     "N_t = codim (Lemma 4.2) against m (d + 1) on every branch of 12 configurations (exact); and separation "
     "itself: in the worked example (exp, m = 2, d = 2) each branch certified separated at every n from N_t to "
     "m (d + 1) (C5: the interval lemma at Q2, the second-order decision at Q1)"),
    ("Example (b) below N1", "(beyond the paper) Lemma 4.2 gives Q1 of the worked example the threshold N1 = 5; "
     "is it separated earlier?", "C5's second-order decisions at a point of Q1 (exp, d = 2, n = 3 .. 6; exact radii "
     "re-verified)"),
    ("Finding 1", "the worked example says one-dimensional input, but its N1 = 5, N2 = 4 (and x in R^2, "
     "theta in R^6) hold only for d = 2", "as Example (b): d = 1 gives N1 = 3, N2 = 3"),
    ("Finding 2", "Theorem 5.3 and Corollary 5.1 require n >= m + (m + m0 - r) d, Lemma 4.2, Theorem 5.4 and "
     "Table 1 n >= r + (m + m0 - r) d; the two differ when r < m",
     "a Morse-Bott branch with r < m: at n = r + (m + m0 - r) d a separation radius is certified and the "
     "Hessian has full normal rank: the sharper r-threshold holds, the m-version is true but not sharp"),
    ("Finding 3", "in Theorem 5.4 the bounds r + (r - l) d ('no point recovery stable') and r + (m + m0 - r) d "
     "('almost all stable') coincide on every Morse-Bott stratum (l = 2r - m - m0), r = m included: the first must be "
     "strict", "the coincidence over every partition (exact); at n equal to both, C5 certifies a separation radius "
     "(recovery stable) on a branch with r = m and on one with r < m"),
    ("Finding 4", "the worked example expects no imperfect global minima for n >= 6; Lemma 4.3 needs "
     "n > (d + 1) m = 6", "at n = 6 an imperfect global minimum is certified (Krawczyk) with a non-singular "
     "Jacobian, so it persists for a positive-measure set of inputs"),
    ("Finding 5", "Thm 5.3(b) assumes 'm0 <= r < (m + m0)/2 or l < 2r - m - m0'; by Lemma 3.6 no partition has "
     "l < 2r - m - m0, so its second clause is empty and 'l != 2r - m - m0' (as in Table 1) is what is meant. Cor. "
     "5.1(b) joins the same two conditions with 'and', so as printed its hypothesis holds for no partition at all",
     "every composition of m into r classes for (m0, m) up to (3, 5): none has l < 2r - m - m0, and some with "
     "r >= (m + m0)/2 have l > 2r - m - m0 (exact)"),
    ("Finding 6", "the gradient-flow equations of §2.1 print da_k/dt = 2 sum (g - f*) sigma(w_k.x_i), which is "
     "+dR/da_k: the minus sign of -grad R is dropped (the same in dw_k/dt)",
     "sympy: the printed right-hand side divided by -dR/da_k is exactly -1"),
    ("Finding 7", "Cor. 3.2 (separating inputs for any distinct w_k) fails at w = 0 when sigma'(0) = 0, although "
     "such sigma can be generic: x sigma'(0.x) is the zero function", "exp(z) - z (generic: c_0 = 1, c_k = 1/k! "
     "for k >= 2) with w = 0 and 1 and derivatives: an exact relation, verified by sympy"),
    ("Finding 8", "Cor. 3.1's proof applies Lemma 3.1, which asks p_k != 0, also when some w_k = 0; c_0 != 0 closes "
     "that case. Cor. 3.2's proof uses c_0 = sigma(0) != 0 as well: its first separating input is chosen where "
     "sigma(w_1 . x_1) != 0, which sigma(0) != 0 provides near 0", "Lemma 3.1's window rank drops at p = 0; exp(z) - 1 "
     "(both parities, c_0 = 0) has the dependent family w = 0, 1; exp with w = 0 is independent (exact)"),
    ("ZBZ Table 1", "[ZBZ] Example 1 (tanh with bias, target tanh(x + 1)): separation sample size 4 for Q2 and "
     "5 for Q1 in its Table 1; its prose swaps them", "codims 4 (Q2) and 5 (Q1); certified rank 4 = codim and a "
     "certified radius at n = 4 on Q2; non-generalizing minima found near Q1 at n = 4"),
    ("Thm 5.4 between its bounds", "(beyond the paper) between the rank and the codimension of a degenerate "
     "stratum the theorem says nothing; whether the point is separated depends on the sample set",
     "the second-order decision (a definite combination of the forms lambda^T D^2 F_n, or Krawczyk zeros off Q*) "
     "at the review's split point, n = 7, on two sample sets: one of each answer, both certified; the fractions "
     "over 200 sample sets per degenerate branch are in C5 and notebook 05"),
    ("Finding 9", "after Definition 4.1 the paper lists f(x, y) = x^n, n = 2, 3, 4, ... as the most trivial "
     "Morse-Bott functions; by Definition 4.1 only n = 2 is (for n >= 3 the Hessian on the normal space of the "
     "critical set {x = 0} is 0)", "sympy: the critical set of x^n and f_xx on it, n = 2 .. 8 (exact)"),
    ("Examples after Def. 4.1 (a)", "linear regression with the L2 loss is Morse-Bott (its Hessian 2 X^T X is "
     "constant)", "the critical set X^T X w = X^T y and the rank of 2 X^T X on its normal space, four seeded integer "
     "data sets (n, d) = (2, 3), (3, 3), (4, 2), (5, 4) (exact)"),
    ("Examples after Def. 4.1 (b)", "sigma = exp, m = n = 1: grad R = 0 iff a = y e^(-w.x), a submanifold of "
     "codimension 1, on which Hess R has constant rank 1 and Hess_M R is non-degenerate",
     "sympy with x and y symbolic, d = 1, 2, 3: the gradient on and off the set, the rank of the Hessian there, "
     "n^T Hess R n = 2 |grad g|^4 > 0 (exact)"),
    ("Examples after Def. 4.1 (Figure 6)", "f(x, y) = (x^2 - y)^2 is Morse-Bott at its zero set, the parabola",
     "sympy: the critical set solved, n^T Hess f n = 2 (4 x^2 + 1)^2 on it (exact)"),
    ("Example before Thm 5.3", "R = x^2 + y^4 + 0 z has Hess R = diag(2, 12 y^2, 0); at the origin V_s, V_c, V_p "
     "are the x-, y- and z-axes", "sympy's Hessian; V_s from the form at 0, V_p from R constant along an axis "
     "(exact)"),
    ("Derived here: odd sigma", "the suite's extension to odd activations (tanh, outside Assumption 2.1): "
     "directions counted up to sign; the same codimension formula, and the rank formula less 1 for a w = 0 "
     "direction (sigma(0) = 0 gives it no feature)",
     "C4's certified rank and C3's codimension against r + (r - l) d and r + (m + m0 - r) d for tanh"),
]


#: Every numbered item of [GLR] v3 in the paper's order: (item, what it says, restated; how it stands here). The
#: last field is ("rows", [PAPER_MAP rows]) when checked here (its verdict gathered from them), ("claim", text)
#: when another claim checks it, ("definition", where the suite implements it), or ("not checked", why).
PAPER_ITEMS = [
    ("Assumption 2.1", "sigma analytic, c_0 != 0, infinitely many non-zero odd and even Taylor coefficients",
     ("rows", ["Assumption 2.1", "Assumption 2.1 for exp", "Assumption 2.1 in full, by boundedness"])),
    ("Assumption 2.2", "the target is a width-m0 network of the same sigma with distinct non-zero weights; m >= m0",
     ("definition", "symbolic/branches.check_target refuses reducible targets (a = 0, w = 0, repeated weights)")),
    ("Remark 2.1", "Q* = {g(theta, .) = f*}; n <= (d + 1) m is overparameterized; the gradient-flow equations",
     ("rows", ["Finding 6"])),
    ("Theorem 2.1", "each branch Q_t has a threshold N_t <= m (d + 1) from which it is separated from the "
     "non-generalizing global minima", ("rows", ["Theorem 2.1", "Lemma 4.2(b) codim", "Lemma 4.2(b) separation",
                                                 "Example (b)"])),
    ("Theorem 2.2", "gradient flow near R^-1(0) converges; near a separated generic point at a linear rate, "
     "elsewhere it may not", ("rows", ["Table 1 (Thm 5.3(a), Cor. 5.1(a))", "Table 1 (Thm 5.3(b), Cor. 5.1(b))"])),
    ("Example (a)-(b)", "exp, m = 2, m0 = 1: the branches Q1, Q2, Q3 and their separation sample sizes",
     ("rows", ["Example (b)", "Example (b) below N1", "Finding 1", "Finding 4"])),
    ("Example (c)", "the gradient flows of that example near each branch", ("rows", ["Example (c)"])),
    ("Lemma 3.1", "a power series with non-zero odd and even coefficients of arbitrarily high degree, times "
     "polynomial weights in j and distinct powers p_k^j, is a polynomial only if the weights vanish",
     ("rows", ["Lemma 3.1", "Finding 8"])),
    ("Corollary 3.1", "for analytic sigma: generic iff sigma(w_1.x), ..., sigma(w_r.x) are independent for all "
     "distinct w_k", ("rows", ["Cor. 3.1", "Finding 8"])),
    ("Remark 3.1", "for analytic non-polynomial sigma independence holds when w_k + w_j != 0",
     ("rows", ["Remark 3.1"])),
    ("Assumption 3.1", "a class of activations by sigma^(s): rapid decrease and asymptotic asymmetry",
     ("rows", ["Assumption 3.1"])),
    ("Remark 3.2", "rapid decrease forces sigma^(s) -> 0; the usual activations are even in sigma^(s); shifts help",
     ("rows", ["Remark 3.2"])),
    ("Proposition 3.1", "under Assumption 3.1, sigma(w_k.x) for distinct non-zero w_k are independent; the analytic "
     "case (Corollary 3.1) is referred to by the same number in Remarks 3.1, 3.3", ("rows", ["Prop. 3.1"])),
    ("Remark 3.3", "proof techniques; an example satisfying Assumption 2.1, rapidly decreasing, with "
     "sigma(x)/sigma(-x) -> -1", ("rows", ["Remark 3.3"])),
    ("Corollary 3.2", "for generic sigma and distinct w_k there are (d + 1) r inputs making [sigma, x sigma'] of "
     "full rank", ("rows", ["Finding 7"])),
    ("Definition 3.1", "separating inputs: the feature matrix at the w_k has full rank",
     ("definition", "C4's rank of J_n at the samples against the certified model rank")),
    ("Lemma 3.2", "analytic implicit function theorem", ("not checked", "a classical tool (the rank theorem with "
                                                                     "analytic charts); the paper uses it, it says "
                                                                     "nothing about R")),
    ("Lemma 3.3", "zero sets of a non-zero analytic function: measure zero, locally finite pieces",
     ("not checked", "classical facts about every analytic function; what the paper draws from them for R (near a "
                      "branch R^-1(0) is the branch alone) is what C5's certified radii show")),
    ("Corollary 3.3", "R is analytic for analytic sigma, so Lemma 3.3 applies to it", ("rows", ["Lemma 4.1"])),
    ("Corollary 3.4", "perturbed inputs leave no common zero of a parametrized analytic family once n > s",
     ("rows", ["Lemma 4.3(b)"])),
    ("Remark 3.4", "the technique bounds the size of global minima", ("not checked", "no statement of its own: a "
                                                                      "pointer to Lemmas 4.2(b) and 4.3, checked in "
                                                                      "their rows")),
    ("Corollary 3.5", "separating inputs for w* stay separating on an open dense set of weights",
     ("rows", ["Cor. 3.5"])),
    ("Lemma 3.4", "almost all inputs are separating", ("rows", ["Lemma 4.2 rank"])),
    ("Definition 3.2", "partitions of {1..m} and refinement", ("definition", "Branch.splits, null, groups "
                                                                   "(symbolic/branches)")),
    ("Definition 3.3", "the strata Q^r, Q^r_P, Q^r_P,pi", ("definition", "claims/paper.stratum reads (r, l) from a "
                                                                "branch")),
    ("Proposition 3.2", "(a) Q* is the union of the Q^r, (b) disjoint, unions over P and pi, (c) Q^r_P affine of "
     "dimension (m - r) + (r - m0) d", ("rows", ["Prop. 3.2(c)"])),
    ("Remark 3.5", "the Hausdorff dimension of Q^r is (m - r) + (r - m0) d", ("rows", ["Prop. 3.2(c)"])),
    ("Lemma 3.5", "where a branch closure meets another stratum, the latter has fewer distinct weights, one fewer "
     "for each of its classes that straddles two", ("rows", ["Lemma 3.5", "Example after Lemma 3.5"])),
    ("Example after Lemma 3.5", "three neurons fitting one: dimensions 2, 1 + d, 1 + d, 2d and their intersections",
     ("rows", ["Example after Lemma 3.5"])),
    ("Definition 3.4", "the deficient number l of a partition", ("definition", "claims/paper.stratum")),
    ("Lemma 3.6", "l >= max(0, 2r - m - m0), attained", ("rows", ["Lemma 3.6"])),
    ("Lemma 4.1", "R is analytic for analytic sigma", ("rows", ["Lemma 4.1"])),
    ("Definition 4.1", "Morse-Bott at a critical submanifold", ("definition", "certified rank of the Hessian's normal "
                                                                 "block = codim (the Hessian at a zero is 2 J^T J)")),
    ("Examples after Definition 4.1", "Morse-Bott functions: x^n (n = 2, 3, 4, ...), (a) linear regression, "
     "(b) exp with m = n = 1, Figure 6's (x^2 - y)^2, (c) a pointer to Lemma 4.2", ("rows", [
         "Finding 9", "Examples after Def. 4.1 (a)", "Examples after Def. 4.1 (b)",
         "Examples after Def. 4.1 (Figure 6)"])),
    ("Lemma 4.2", "rank r + (r - l) d at Q^r_P; separated from n >= r + (m + m0 - r) d; Morse-Bott iff "
     "r >= (m + m0)/2 and l = 2r - m - m0", ("rows", ["Lemma 4.2 rank", "Lemma 4.2(b) codim", "Lemma 4.2(c)",
                                                       "Lemma 4.2(b) separation", "Finding 2"])),
    ("Remark 4.1", "Lemma 4.2 holds on all of the stratum or on a dense subset", ("rows", ["Remark 4.1"])),
    ("Lemma 4.3", "(a) finitely many samples confine R^-1(0) near Q* on a ball; (b) n > (d + 1) m: no "
     "non-generalizing global minimum for almost all inputs", ("rows", ["Lemma 4.3(b)", "Finding 4",
                                                                      "Lemma 4.3(b) exact for exp, d = 1"])),
    ("Remark 4.2", "(a) follows from (b)", ("not checked", "a remark on the two proofs; both parts are in Lemma "
                                                            "4.3's row")),
    ("Proposition 4.1", "for n > (d + 1) m0 and m = m0 the representation of f* is unique on almost all inputs",
     ("rows", ["Prop. 4.1"])),
    ("Theorem 5.1", "Lojasiewicz: |grad f| >= C |f - f(p)|^mu near a critical point, mu in [1/2, 1)",
     ("rows", ["Thm 5.1 exponents"])),
    ("Theorem 5.2", "gradient flow near a local minimum converges to its level set", ("rows", [
        "Table 1 (Thm 5.3(a), Cor. 5.1(a))", "Table 1 (Thm 5.3(b), Cor. 5.1(b))"])),
    ("Proposition 5.1", "a converse of Theorem 5.2: every zero of R is the limit of a non-constant gradient flow",
     ("rows", ["Prop. 5.1"])),
    ("Lemma 5.1", "normal form (13): with c = 0, |z - z*| = O(|y|^2); with c > 0 the kernel part dominates",
     ("rows", ["Thm 5.3(b) bias toward ker Hess"])),
    ("Remark 5.1", "c = 0: exponential decay as at Morse-Bott points; c > 0: |z - z*| = O(int |x|^2) is the best "
     "known bound", ("rows", ["Remark 5.1", "Remark 5.1 (c = 0)"])),
    ("Lemma 5.2", "with c > 0 and (14) asymptotically stable, |y(t)| = O(|x(t)|^2 + e^(-beta t))",
     ("rows", ["Thm 5.3(b) bias toward ker Hess"])),
    ("Remark 5.2", "the bias |y| = O(|x|^2) when the tail is long enough",
     ("rows", ["Thm 5.3(b) bias toward ker Hess"])),
    ("Example before Theorem 5.3", "R = x^2 + y^4 + 0 z: its Hessian and the split into V_s, V_c, V_p",
     ("rows", ["Example before Thm 5.3"])),
    ("Theorem 5.3", "(a) Morse-Bott strata: linear rate; (b) others: |pi_s| = O(|pi_c|^2) under a tail condition; "
     "(c) all points of Q^m_P, Q^m0_P", ("rows", ["Table 1 (Thm 5.3(a), Cor. 5.1(a))",
                                                 "Table 1 (Thm 5.3(b), Cor. 5.1(b))", "Finding 2", "Finding 5",
                                                 "Thm 5.3(b) bias toward ker Hess"])),
    ("Corollary 5.1", "the loss converges linearly near Morse-Bott strata, R = O(|gamma - theta*|^4 + e^-bt) "
     "elsewhere", ("rows", ["Table 1 (Thm 5.3(a), Cor. 5.1(a))", "Table 1 (Thm 5.3(b), Cor. 5.1(b))",
                           "Finding 5"])),
    ("Table 1", "rates of gradient flow and loss per kind of stratum", ("rows", [
        "Table 1 (Thm 5.3(a), Cor. 5.1(a))", "Table 1 (Thm 5.3(b), Cor. 5.1(b))"])),
    ("Definition 5.1", "recovery stability: flows from a ball converge to functions equal to f*",
     ("definition", "C6 with --expect recovery: the limit is certified in Q*")),
    ("Theorem 5.4", "no point of Q^r_P is recovery stable for n <= r + (r - l) d; almost all are for "
     "n >= r + (m + m0 - r) d", ("rows", ["Finding 3", "Lemma 4.2(b) separation", "Thm 5.4 between its bounds"])),
    ("Table 2", "the sample-size thresholds of recovery stability per stratum", ("rows", [
        "Lemma 4.2 rank", "Lemma 4.2(b) codim"])),
]


#: What each row of :data:`PAPER_MAP` checks of its statement: (scope, which case or why). "as stated": the statement
#: in the paper's own quantifiers (for the activation, example or configuration it names); "on a family": a
#: narrower case, named; "not checkable": the item is not a statement (why); "cannot fail": the row as written cannot
#: refute the statement, with the reason;
#: "tests another statement": the row's evidence is about something else, named. The README's counts are computed
#: from this table (:func:`scope_counts`).
AS_STATED, FAMILY, NOT_CHECKABLE = "as stated", "on a family", "not checkable"
CANNOT_FAIL, ELSEWHERE = "cannot fail", "tests another statement"
SCOPES = (AS_STATED, FAMILY, NOT_CHECKABLE, CANNOT_FAIL, ELSEWHERE)
SCOPE = {
    "Assumption 2.1": (FAMILY, "the library activations; the Taylor coefficients of degrees 11..20 only"),
    "Assumption 2.1 for exp": (AS_STATED, "exp: every coefficient, by sigma' = sigma"),
    "Assumption 2.1 in full, by boundedness": (AS_STATED, "tanh(z + 1/2): every coefficient"),
    "Lemma 3.1": (FAMILY, "exp's coefficients; r = 1..4, l = 1..3, 36 seeded sets of p_k"),
    "Cor. 3.1": (FAMILY, "exp with w = 0, +-w, w and 2w in d = 1, 2; one failing activation per way to fail"),
    "Remark 3.1": (FAMILY, "sigmoid, tanh, softplus; seeded weights in d = 1, 2"),
    "Assumption 3.1": (NOT_CHECKABLE, "a hypothesis, not a statement: the row decides which activations meet it"),
    "Remark 3.2": (FAMILY, "examples (a), (c), (d) and tanh; (b) exp(-|x|) is not analytic and is left out"),
    "Prop. 3.1": (FAMILY, "the shifted sigmoid, softplus and tanh, seeded weights in d = 1, 2"),
    "Remark 3.3": (AS_STATED, "the remark's own example"),
    "Prop. 3.2(c)": (FAMILY, "every branch of the enumerated configurations (exp, tanh; m <= 3, d <= 2)"),
    "Lemma 3.6": (FAMILY, "every partition of the enumerated configurations"),
    "Lemma 3.5": (FAMILY, "exp, (m0, m, d) up to (2, 4, 1) and (1, 3, 2), every pair and permutation"),
    "Example after Lemma 3.5": (FAMILY, "the example for d = 1, 2, 3 (intersections for d = 2)"),
    "Lemma 4.1": (FAMILY, "every library activation proven analytic on the line; R's structure (a polynomial in the "
                  "a_k and sigma(w_k.x_i)) for three sizes (m, d, n)"),
    "Lemma 4.2 rank": (FAMILY, "one rational point of each enumerated branch"),
    "Remark 4.1": (FAMILY, "four more seeded rational points of each branch: supports 'dense', cannot show 'all'"),
    "Lemma 4.2(b) codim": (FAMILY, "every enumerated branch: the formula against its own equations' rank"),
    "Lemma 4.2(c)": (FAMILY, "every enumerated branch, against its certified rank"),
    "Lemma 4.2(b) separation": (FAMILY, "one Morse-Bott branch of a generic activation, a sweep of n"),
    "Lemma 4.3(b)": (FAMILY, "one certified imperfect minimum (Finding 4) and one more Gaussian sample"),
    "Lemma 4.3(b) exact for exp, d = 1": (AS_STATED, "every input set, by Rolle's bound (derived here)"),
    "Example (c)": (FAMILY, "the example's setting at n = 5 and 4, one start each"),
    "Cor. 3.5": (FAMILY, "exp, r = 2, d = 2: one box of weights and seeded weight sets"),
    "Prop. 4.1": (FAMILY, "exp, d = 1 and 2; every input set from n = 2 m0 for d = 1"),
    "Table 1 (Thm 5.3(a), Cor. 5.1(a))": (FAMILY, "C6's exponential runs"),
    "Table 1 (Thm 5.3(b), Cor. 5.1(b))": (FAMILY, "C6's split-point run"),
    "Thm 5.3(b) bias toward ker Hess": (FAMILY, "one split point"),
    "Thm 5.1 exponents": (FAMILY, "C6's Morse-Bott and split-point tails: the measured slope against the theorem's "
                          "mu < 1 (a slope >= 1 would refute it) and against the predicted 1/2 and 3/4"),
    "Remark 5.1 (c = 0)": (FAMILY, "C6's Morse-Bott limits"),
    "Remark 5.1": (FAMILY, "c = 0 at a Morse-Bott limit, c > 0 at one split point"),
    "Prop. 5.1": (FAMILY, "one point of the worked example's null branch"),
    "Example (b)": (AS_STATED, "the example's three branches, d = 1 and 2"),
    "Theorem 2.1": (FAMILY, "the worked example's two branches (d = 2) certified separated from N_t up to "
                    "m (d + 1); N_t <= m (d + 1) on every branch of 12 configurations"),
    "Example (b) below N1": (FAMILY, "one point of Q1, n = 3 .. 6"),
    "Finding 1": (AS_STATED, "the example's thresholds in d = 1 and d = 2"),
    "Finding 2": (FAMILY, "one Morse-Bott branch with r < m"),
    "Finding 3": (FAMILY, "the coincidence over every partition (exact); recovery stability on two branches"),
    "Finding 4": (AS_STATED, "a certified imperfect global minimum at n = 6"),
    "Finding 5": (FAMILY, "every composition for (m0, m) up to (3, 5)"),
    "Finding 6": (AS_STATED, "the printed equation, symbolically"),
    "Finding 7": (AS_STATED, "a counterexample"),
    "Finding 8": (AS_STATED, "a counterexample to the proof step"),
    "Finding 9": (AS_STATED, "n = 2 .. 8, the critical set and its normal Hessian exactly"),
    "Examples after Def. 4.1 (a)": (FAMILY, "four seeded integer data sets"),
    "Examples after Def. 4.1 (b)": (FAMILY, "d = 1, 2, 3 with x and y symbolic"),
    "Examples after Def. 4.1 (Figure 6)": (AS_STATED, "the function of Figure 6"),
    "Example before Thm 5.3": (AS_STATED, "the example's function at the origin"),
    "ZBZ Table 1": (AS_STATED, "the table's two branches"),
    "Thm 5.4 between its bounds": (FAMILY, "one split point, n = 7, two sample sets"),
    "Derived here: odd sigma": (FAMILY, "tanh, the enumerated configurations"),
}


def scope_counts() -> dict:
    """How many rows of the map check their statement as stated, on a family, cannot fail, or test another one.

    >>> counts = scope_counts()
    >>> sum(counts.values()) == len(PAPER_MAP)
    True
    """
    return {kind: sum(1 for kind_of, _ in SCOPE.values() if kind_of == kind) for kind in SCOPES}


def item_counts() -> dict:
    """The items of :data:`PAPER_ITEMS` counted: numbered ones, rows for the unnumbered examples, and how they stand.

    >>> counts = item_counts()
    >>> counts["numbered"] + counts["examples"] == len(PAPER_ITEMS)
    True
    """
    kinds = [kind for *_, (kind, _) in PAPER_ITEMS]
    examples = sum(1 for item, *_ in PAPER_ITEMS if item.startswith("Example"))   # the paper does not number them
    return {"numbered": len(PAPER_ITEMS) - examples, "examples": examples, "checked": kinds.count("rows"),
            "other claim": kinds.count("claim"), "definitions": kinds.count("definition"),
            "not checked": kinds.count("not checked")}


def paper_map(results) -> list:
    """One row per statement of :data:`PAPER_MAP`: (row, restated, how, scope, verdict, kinds)."""
    rows = []
    for row, says, how in PAPER_MAP:
        outcomes = [c for r in results for c in r.evidence if c.name.startswith(f"[{row}]")]
        if not outcomes:
            verdict = "not run"
        elif any(c.passed is False for c in outcomes):
            verdict = "FAIL"
        elif any(c.passed is None for c in outcomes):
            verdict = "INCONCLUSIVE"
        else:
            verdict = "PASS"
        kind, which = SCOPE[row]
        rows.append((row, says, how, f"{kind}: {which}", verdict, ", ".join(sorted({c.kind for c in outcomes})) or "-"))
    return rows


def paper_items(results) -> list:
    """One row per numbered item: (item, restated, how, verdict); verdicts gathered from :func:`paper_map`."""
    verdicts = {row: verdict for row, _, _, _, verdict, _ in paper_map(results)}
    out = []
    for item, says, (kind, what) in PAPER_ITEMS:
        if kind == "rows":
            found = [verdicts.get(row, "not run") for row in what]
            verdict = next((v for v in ("FAIL", "INCONCLUSIVE", "not run") if v in found), "PASS")
            how = "checked: " + "; ".join(what)
        else:
            verdict, how = {"claim": "see that claim", "definition": "definition",
                            "not checked": "not checked"}[kind], f"{kind}: {what}"
        out.append((item, says, how, verdict))
    return out
