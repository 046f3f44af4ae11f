"""Answer pairs for the equivalence judge, written for Ponder, with the verdict a tutor wants.

Each entry is (gold, answer, expected verdict, why). "gold" is the model's
boxed answer, "answer" what a student typed. Where math-verify on its own
gives a verdict a tutor would not, the judge fixes it by clean-up
(app/tutor/equiv_text.py, app/tutor/equiv_worker.py) and the entry says so;
where the library's verdict is kept although one could argue, a comment says so.
"""

from __future__ import annotations

E = "equivalent"
N = "not_equivalent"
C = "cant_tell"

CORPUS: list[tuple[str, str, str, str]] = [
    # --- fractions, decimals, percent
    (r"\frac{1}{2}", "0.5", E, "fraction against decimal"),
    (r"\frac{1}{2}", "1/2", E, "slash fraction"),
    (r"\frac{1}{2}", r"\frac{2}{4}", E, "unreduced fraction"),
    ("0.5", ".5", E, "leading zero left out"),
    (r"\frac{7}{2}", "3.5", E, "improper fraction"),
    (r"-\frac{1}{2}", r"\frac{-1}{2}", E, "where the minus sits"),
    (r"\frac{1}{2}", "0.51", N, "close is not equal"),
    (r"\frac{1}{3}", "0.333", N, "a rounded decimal (3 places) is not exact"),
    # math-verify compares numbers to 6 decimals: kept, a 7-digit decimal is accepted.
    (r"\frac{1}{3}", "0.3333333", E, "within the library's 6-decimal rounding"),
    (r"\frac{2}{3}", r"\frac{3}{2}", N, "reciprocal"),
    (r"50\%", "0.5", E, "percent as a decimal"),
    ("0.5", r"50\%", E, "decimal as a percent"),
    ("25%", r"\frac{1}{4}", E, "unescaped percent sign"),
    # The library forgives a percent sign left out (like a unit): kept for a tutor.
    (r"50\%", "50", E, "percent sign left out"),
    ("0.5", "50", N, "a decimal is not its percent number"),
    ("1000", "1,000", E, "thousands comma"),
    ("1000", r"1\,000", E, "thin-space thousands separator (clean-up: the library reads 1*0)"),
    ("1000", "1e3", E, "scientific notation (clean-up: the library reads 1*e*3)"),
    ("0.00025", "2.5E-4", E, "negative exponent"),
    ("1000", "1 000", E, "space as thousands separator (clean-up: the library reads 1+0)"),
    (r"\frac{5}{2}", r"2\frac{1}{2}", E, "mixed number"),
    ("5", "2 3", C, "two bare numbers (clean-up: the library reads a mixed number, 2+3)"),
    ("3", "-3", N, "sign"),
    (r"2^3", r"3^2", N, "base and exponent swapped"),
    # --- radicals and exact constants
    (r"\frac{\sqrt{2}}{2}", r"\frac{1}{\sqrt{2}}", E, "rationalised denominator"),
    (r"2\sqrt{2}", r"\sqrt{8}", E, "simplified radical"),
    (r"\sqrt{2}", "sqrt(2)", E, "typed sqrt"),
    (r"\sqrt{2}", "√2", E, "unicode root"),
    (r"\sqrt{2}", "2^(1/2)", E, "fractional power"),
    (r"\sqrt{3}", r"\sqrt{2}", N, "different radicand"),
    (r"\pi", "π", E, "unicode pi"),
    # Decimals for pi: kept as the library says; the exact answer was asked for.
    (r"\pi", "3.14", N, "an approximation of pi is not pi"),
    (r"3\sqrt{2}", r"\sqrt{18}", E, "radical inside"),
    # --- algebra
    ("(x-1)(x+1)", "x^2-1", E, "factored against expanded"),
    ("x^2-1", "x^2+1", N, "sign of the constant"),
    ("a+b", "b+a", E, "commuted sum"),
    ("y=2x+1", "2x+1", E, "right side of the equation only"),
    ("y=2x+1", "y-2x=1", E, "rearranged equation"),
    (r"y = -\frac{5}{2}x + 3", "y = 3 - 2.5x", E, "line with a decimal slope"),
    ("1+i", "i+1", E, "complex number"),
    # A lone i is read as a variable, not the imaginary unit: kept as the library says.
    ("i", r"\sqrt{-1}", N, "i without a complex context"),
    (r"\log_2 8", "3", E, "logarithm to a base"),
    ("x", "y", N, "another variable"),
    ("0", "-0", E, "negative zero"),
    # --- tuples: order matters
    ("(1,2)", "(2,1)", N, "swapped pair"),
    ("(1,2,3)", "(3,2,1)", N, "reversed triple"),
    ("(1,2,3)", "(1, 2, 3)", E, "spaces"),
    (r"\left(1,2\right)", "(1,2)", E, r"\left( against ("),
    ("(2,3)", "x=2, y=3", E, "a point written as a system"),
    ("(1,2)", r"\{1,2\}", N, "an interval/pair is not a set (clean-up: the library says equal)"),
    # A column vector against a pair: kept as the library says (the pair reads as an interval).
    (r"\begin{pmatrix}1\\2\end{pmatrix}", "(1,2)", N, "column vector against a pair"),
    # --- sets and intervals
    (r"\{2,3\}", r"\{3,2\}", E, "set order does not matter"),
    (r"\{2,3\}", r"x=2 \text{ or } x=3", E, "solutions written with or"),
    (r"\{2,3\}", "x=2 or x=3", E, "or without text"),
    (r"\{2,3\}", "x=2, x=3", E, "solutions with a comma"),
    (r"\{2,3\}", r"x \in \{2,3\}", E, "membership"),
    (r"\{2,3\}", "2, 3", E, "bare list"),
    (r"\{2,3\}", "x=2", N, "one solution missing"),
    (r"\{2,3\}", r"\{2,3,4\}", N, "one solution too many"),
    (r"\{3,4\}", r"3 \text{ and } 4", E, "solutions with and"),
    ("[1,2]", r"\{1,2\}", N, "closed interval against its two ends (clean-up)"),
    ("(1,2)", "(1,2,3)", N, "pair against triple"),
    ("x=2", "y=2", N, "another variable in the equation"),
    (r"\infty", r"-\infty", N, "sign of infinity"),
    ("(1,2)", r"x=1 \text{ or } x=2", N, "an interval is not two solutions (clean-up)"),
    (r"x=2 \text{ or } x=-2", r"\pm 2", E, "plus-minus"),
    ("[0,1)", "[0,1]", N, "closed against half-open"),
    ("[0,1)", "[0, 1)", E, "spaces"),
    ("(0,1)", "[0,1]", N, "open against closed"),
    (r"(-\infty, 3)", "x<3", E, "inequality as an interval"),
    ("(1,2]", r"1 < x \le 2", E, "double inequality"),
    (r"[2, \infty)", r"x \ge 2", E, "greater or equal"),
    (r"[2, \infty)", "x > 2", N, "strict against non-strict"),
    (r"(-\infty,1)\cup(2,\infty)", r"x<1 \text{ or } x>2",
     E, "two inequalities as a union (clean-up: the library keeps them a set)"),
    (r"\emptyset", r"\{\}", E, "empty set"),
    (r"(-\infty,-2]\cup[3,\infty)", r"x \le -2 \text{ or } x \ge 3", E, "union as inequalities"),
    (r"(-\infty,-2]\cup[3,\infty)", r"(-\infty,-2)\cup[3,\infty)", N, "one bracket differs"),
    (r"x \in [2, 5)", "[2,5)", E, "membership in an interval"),
    ("3, 5, 7", r"\{7,5,3\}", E, "a list of solutions against a set"),
    # --- matrices
    (r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", r"\begin{bmatrix}1&2\\3&4\end{bmatrix}",
     E, "pmatrix against bmatrix"),
    (r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", r"\begin{pmatrix}1&3\\2&4\end{pmatrix}",
     N, "transposed"),
    (r"\begin{pmatrix}-1\\2\end{pmatrix}", r"\begin{pmatrix}2\\-1\end{pmatrix}",
     N, "column vector entries swapped"),
    (r"\begin{pmatrix}1&0\\0&1\end{pmatrix}", r"\begin{pmatrix}1&0\\0&1\end{pmatrix}",
     E, "identical identity"),
    (r"\begin{pmatrix}\frac{1}{2}&0\\0&1\end{pmatrix}", r"\begin{pmatrix}0.5&0\\0&1\end{pmatrix}",
     E, "entries compared as numbers"),
    # --- units and degrees
    (r"90^\circ", "90", E, "degree mark left out"),
    (r"90^{\circ}", "90°", E, "unicode degree sign"),
    (r"90^\circ", r"\frac{\pi}{2}", E, "degrees against radians (clean-up)"),
    (r"\frac{\sqrt{3}}{2}", r"\sin 60^\circ", E, "degrees inside a function (clean-up)"),
    (r"45^\circ", "30", N, "different angle"),
    (r"\frac{\pi}{2}", "90", N, "radians against a bare number"),
    (r"5\text{ cm}", "5", E, "unit left out"),
    ("5", r"5 \text{ dollars}", E, "unit word"),
    (r"\$5", "5", E, "dollar sign"),
    (r"12\text{ cm}^2", "12", E, "squared unit"),
    (r"5\text{ cm}", "6", N, "wrong number with a unit"),
    (r"5\text{ ft}", "5", E, "short unit"),
    (r"30 \text{ degrees}", r"\frac{\pi}{6}", E, "degrees in words against radians (clean-up)"),
    (r"30^\circ", r"30 \text{ degrees}", E, "degree sign against the word"),
    # --- LaTeX spelling
    (r"\dfrac{1}{2}", r"\frac12", E, r"\dfrac and brace-less \frac"),
    (r"\tfrac{3}{4}", "0.75", E, r"\tfrac"),
    (r"$\frac{1}{2}$", r"\(0.5\)", E, "math delimiters"),
    (r"\boxed{\frac{1}{2}}", "1/2", E, "a whole box"),
    (r"\frac{1}{2}", "1/2.", E, "sentence period"),
    (r"\displaystyle \frac{1}{2}", "0.5", E, r"\displaystyle"),
    ("2 \\cdot 3", "6", E, r"\cdot"),
    ("2×3", "6", E, "unicode times"),
    ("1 − 2", "-1", E, "unicode minus"),
    # --- nothing to judge: can't tell, never equivalent
    ("asdf qwer", "asdf qwer", C, "garbage (the library would read a product of letters)"),
    (r"\text{no solution}", r"\emptyset", C, "words"),
    ("I don't know", "2", C, "a sentence"),
    (r"\text{even}", r"\text{even}", C, "a word answer, even the same word"),
    (r"\text{(C)}", "(C)", E, "a multiple-choice letter"),
    (r"\text{(C)}", r"\text{(D)}", N, "another letter"),
    ("", "2", C, "empty gold"),
    ("2", "   ", C, "empty answer"),
    (r"\boxed{2", "2", C, "a cut-off box"),
    (r"\frac{1}{", "1", C, "unbalanced braces"),
    ("2", "}{", C, "braces only"),
    ("1", "1+", C, "a dangling operator (the library's plain reader takes the 1)"),
    ("1.2", "1,2,", C, "a dangling comma (the library's plain reader makes 1.2)"),
    ("2", "2*", C, "a dangling times"),
]
