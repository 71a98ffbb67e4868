"""Model outputs with a gold answer and the verdict the field's standard grader (Math-Verify) gives.

Written for FlashTutor, one group per behaviour that Math-Verify's own test suite covers: where the final
answer sits in the text, how numbers are written, and which kinds of math are compared. A gold answer is
written as a dataset gives it (MATH's bare LaTeX, or a plain number).
"""

from __future__ import annotations

Case = tuple[str, str, bool]  # model output, gold answer, correct?

BOXED: list[Case] = [
    (r"Adding the two parts gives \boxed{42}.", "42", True),
    (r"Adding the two parts gives \boxed{42}.", "24", False),
    (r"\boxed{-7}", "-7", True),
    (r"\boxed{-7}", "7", False),
    (r"We try \boxed{3} first. It fails. So the answer is \boxed{5}.", "5", True),
    (r"We try \boxed{3} first. It fails. So the answer is \boxed{5}.", "3", False),
    (r"\boxed{\frac{3}{4}}", "0.75", True),
    (r"\boxed{\dfrac{3}{4}}", r"\frac34", True),
    (r"\boxed{\tfrac{5}{8}}", r"\frac{5}{8}", True),
    (r"\boxed{\frac{3}{4}}", r"\frac{4}{3}", False),
    (r"\boxed{2\sqrt{3}}", r"\sqrt{12}", True),
    (r"\boxed{\sqrt{12}}", r"2\sqrt3", True),
    (r"\boxed{3\sqrt{2}}", r"2\sqrt3", False),
    (r"\boxed{\frac{\pi}{2}}", r"\pi/2", True),
    (r"\boxed{x^2+2x+1}", "(x+1)^2", True),
    (r"\boxed{x^2+1}", "(x+1)^2", False),
    (r"The result is $\boxed{16}$.", "16", True),
    (r"\boxed{ 12 }", "12", True),
    (r"\boxed{1.5}", r"\frac{3}{2}", True),
    (r"\boxed{2^{10}}", "1024", True),
    (r"\boxed{10^3}", "1000", True),
    (r"\boxed{\infty}", r"\infty", True),
    (r"\boxed{-\infty}", r"\infty", False),
    (r"\boxed{4i+3}", "3+4i", True),
    (r"\boxed{3-4i}", "3+4i", False),
    (r"\boxed{\frac{1}{3}}", "0.3333333", True),
    (r"\boxed{0.333}", r"\frac13", False),
    (r"\boxed{\pm 2}", "2, -2", True),
]

DISPLAY_BRACKETS: list[Case] = [
    (r"So the length is \[ 13 \]", "13", True),
    (r"So the length is \[ 13 \]", "12", False),
    (r"Therefore \[\frac{7}{2}\]", "3.5", True),
    (r"Hence \[ x = 9 \]", "9", True),
    (r"Hence \[ x = 9 \]", "-9", False),
    ("The area is\n\\[\n6\\pi\n\\]", r"6\pi", True),
    (r"We get \[ \sqrt{50} \]", r"5\sqrt{2}", True),
    (r"We get \[ \sqrt{50} \]", r"2\sqrt{5}", False),
    (r"First \[ 4 \] and finally \[ 8 \]", "8", True),
    (r"\[ \frac{1}{6} \]", r"\frac{2}{12}", True),
    (r"\[ 0.125 \]", r"\frac18", True),
    (r"\[ 100 \]", "1000", False),
]

INLINE_PARENTHESES: list[Case] = [
    (r"The answer is \(15\).", "15", True),
    (r"The answer is \(15\).", "51", False),
    (r"This gives \(x = 7\).", "7", True),
    (r"This gives \(\frac{2}{5}\).", "0.4", True),
    (r"This gives \(\frac{2}{5}\).", "0.5", False),
    (r"We found \(a = 3\), so the answer is \(a^2 = 9\).", "9", True),
    (r"\( -\frac{1}{2} \)", "-0.5", True),
    (r"\( -\frac{1}{2} \)", "0.5", False),
    (r"The slope is \(\frac{-3}{4}\).", r"-\frac34", True),
    (r"The value is \(\sqrt{2}\cdot\sqrt{8}\).", "4", True),
]

DISPLAY_DOLLARS: list[Case] = [
    ("The total is $$27$$", "27", True),
    ("The total is $$27$$", "28", False),
    ("$$\\frac{9}{3}$$", "3", True),
    ("So\n$$\ny = 11\n$$", "11", True),
    ("$$ 2\\pi r $$", "2r\\pi", True),
    ("$$ 2\\pi r $$", "\\pi r^2", False),
    ("First $$3$$ then, after checking, $$6$$", "6", True),
    ("$$x = -4$$", "-4", True),
    ("$$x = -4$$", "4", False),
    ("$$\\frac{10}{4}$$", "2.5", True),
]

INLINE_DOLLARS: list[Case] = [
    ("So the answer is $8$.", "8", True),
    ("So the answer is $8$.", "9", False),
    ("We get $\\frac{5}{10}$.", "\\frac12", True),
    ("Both $a=2$ and $b=3$, so $a+b=5$.", "5", True),
    ("Both $a=2$ and $b=3$, so $a+b=5$.", "2", False),
    ("The value is $3^4 = 81$.", "81", True),
    ("The root is $x=\\sqrt{5}$.", "\\sqrt5", True),
    ("The root is $x=\\sqrt{5}$.", "5", False),
]

ANSWER_SENTENCES: list[Case] = [
    ("The answer is 12.", "12", True),
    ("The answer is 12.", "21", False),
    ("The final answer is $\\frac{2}{3}$. I hope it is correct.", "\\frac{2}{3}", True),
    ("The final answer is $\\frac{2}{3}$. I hope it is correct.", "\\frac{3}{2}", False),
    ("Final answer: 7", "7", True),
    ("Final answer: 7", "-7", False),
    ("So the answer is 3/4.", "0.75", True),
    ("Answer: -2", "-2", True),
    ("Answer: -2", "2", False),
    ("After 3 steps and 4 turns, the answer is 19.", "19", True),
    ("After 3 steps and 4 turns, the answer is 19.", "4", False),
    ("The final answer is 5. I hope it is correct.", "5", True),
    ("My final answer for the number of apples is 36", "36", True),
    ("The answer: $x = 14$", "14", True),
    ("I think the answer is 2.5 hours.", "2.5", True),
    ("I think the answer is 2.5 hours.", "25", False),
    ("Thus, the answer is $\\sqrt{3}$", "\\sqrt{3}", True),
    ("Thus, the answer is $\\sqrt{3}$", "3", False),
]

PERCENTAGES: list[Case] = [
    ("\\boxed{25\\%}", "25", True),
    ("\\boxed{25\\%}", "0.25", True),
    ("\\boxed{25}", "25\\%", True),
    ("\\boxed{0.25}", "25\\%", True),
    ("\\boxed{25\\%}", "30", False),
    ("The rate is 25%.", "25", True),
    ("The rate is 25 percent.", "0.25", True),
    ("The rate is 25 percent.", "0.3", False),
    ("The probability is $40\\%$.", "0.4", True),
    ("The probability is $40\\%$.", "0.04", False),
    ("\\boxed{10\\%}", "\\frac{1}{10}", True),
    ("So the discount is 15%.", "15\\%", True),
    ("So the discount is 15%.", "51\\%", False),
    ("\\boxed{12.5\\%}", "0.125", True),
]

THOUSANDS_SEPARATORS: list[Case] = [
    ("The population is 1,234,567.", "1234567", True),
    ("The population is 1,234,567.", "1234568", False),
    ("\\boxed{1,000}", "1000", True),
    ("\\boxed{1,000}", "100", False),
    ("She earns 52,000 a year.", "52000", True),
    ("The total is 1 234.", "1234", True),
    ("The total is 12,345.6 grams.", "12345.6", True),
    ("The answer is 3,600.", "3600", True),
    ("The answer is 3,600.", "36", False),
    ("\\boxed{10,\\!000}", "10000", True),
    ("\\boxed{10,\\!000}", "1000", False),
    ("The answer is $2,500,000$.", "2500000", True),
]

DECIMAL_COMMAS: list[Case] = [
    ("3,14", "3.14", True),
    ("The answer is 3,14", "3.14", True),
    ("The answer is 3,14", "3.15", False),
    ("Il reste 0,5 litre.", "0.5", True),
    ("Il reste 0,5 litre.", "5", False),
    ("Prix : 12,75", "12.75", True),
    ("Prix : 12,75", "12.57", False),
    ("La réponse est 2,5.", "\\frac{5}{2}", True),
]

_HALF_IDENTITY = r"\begin{pmatrix}0.5&0\\0&0.5\end{pmatrix}"
MATRICES: list[Case] = [
    (r"\boxed{\begin{pmatrix}1&2\\3&4\end{pmatrix}}", r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", True),
    (r"\boxed{\begin{pmatrix}1&2\\3&4\end{pmatrix}}", r"\begin{bmatrix}1&2\\3&4\end{bmatrix}", True),
    (r"\boxed{\begin{pmatrix}1&3\\2&4\end{pmatrix}}", r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", False),
    (r"\boxed{\begin{pmatrix}1\\2\end{pmatrix}}", r"\begin{pmatrix}1\\2\end{pmatrix}", True),
    (r"\boxed{\begin{pmatrix}2\\1\end{pmatrix}}", r"\begin{pmatrix}1\\2\end{pmatrix}", False),
    (r"$$\begin{pmatrix}\frac12 & 0\\ 0 & \frac12\end{pmatrix}$$", _HALF_IDENTITY, True),
    (r"$$\begin{pmatrix}\frac12 & 0\\ 0 & \frac13\end{pmatrix}$$", _HALF_IDENTITY, False),
    (r"\boxed{\begin{pmatrix}-1&0\\0&-1\end{pmatrix}}", r"\begin{pmatrix}-1&0\\0&-1\end{pmatrix}", True),
    (r"\boxed{\begin{pmatrix}1&0\\0&1\end{pmatrix}}", r"\begin{pmatrix}-1&0\\0&-1\end{pmatrix}", False),
    (r"\boxed{\begin{pmatrix}\sqrt{4}\\ 3\end{pmatrix}}", r"\begin{pmatrix}2\\3\end{pmatrix}", True),
    (r"\boxed{\begin{pmatrix}1&2&3\end{pmatrix}}", r"\begin{pmatrix}1\\2\\3\end{pmatrix}", False),
    (r"\boxed{\begin{bmatrix}x&1\\1&x\end{bmatrix}}", r"\begin{pmatrix}x&1\\1&x\end{pmatrix}", True),
]

TUPLES: list[Case] = [
    (r"\boxed{(1, 2)}", "(1,2)", True),
    (r"\boxed{(2, 1)}", "(1,2)", False),
    (r"\boxed{\left( 3, \frac{\pi}{2} \right)}", r"\left( 3, \frac{\pi}{2} \right)", True),
    (r"\boxed{\left( 3, \frac{\pi}{2} \right)}", r"\left( 3, \pi \right)", False),
    (r"The point is $(6,31,-1)$.", "(6,31,-1)", True),
    (r"The point is $(6,31,-1)$.", "(6,31,1)", False),
    (r"\boxed{(0.5, 0.25)}", r"\left(\frac12, \frac14\right)", True),
    (r"\boxed{(0.5, 0.25)}", r"\left(\frac14, \frac12\right)", False),
    (r"\boxed{(-2, 1)}", "(-2,1)", True),
    (r"\boxed{(-2, 1)}", "(2,-1)", False),
    (r"\boxed{(\sqrt{2}, 1)}", r"(\sqrt2, 1)", True),
    (r"\boxed{(a, b) = (4, 5)}", "(4,5)", True),
]

SETS: list[Case] = [
    (r"\boxed{\{(1,2),(3,4)\}}", r"\{(3,4),(1,2)\}", True),
    (r"\boxed{\{(1,2),(3,4)\}}", r"\{(2,1),(3,4)\}", False),
    (r"\boxed{\{(0,0),(1,1),(2,4)\}}", r"\{(2,4),(0,0),(1,1)\}", True),
    (r"\boxed{\{(0,0),(1,1)\}}", r"\{(0,0),(1,1),(2,4)\}", False),
    (r"\boxed{\{1, 2, 3\}}", r"\{3, 2, 1\}", True),
    (r"\boxed{\{1, 2, 3\}}", r"\{1, 2\}", False),
    (r"\boxed{1, 2}", r"\{1,2\}", True),
    (r"\boxed{2, 1}", "1,2", True),
    (r"The roots are $\boxed{-2, 1}$.", "-2,1", True),
    (r"The roots are $\boxed{-2, 1}$.", "2,-1", False),
    (r"\boxed{3, 5, 7}", "3, 5, 7", True),
    (r"\boxed{3, 5}", "3, 5, 7", False),
    (r"The solutions are $x = 2$ and $x = -3$.", "2, -3", True),
]

TEXT_ANSWERS: list[Case] = [
    (r"\boxed{\text{Evelyn}}", r"\text{Evelyn}", True),
    (r"\boxed{\text{Evelyn}}", "Evelyn", True),
    (r"\boxed{\text{Bob}}", r"\text{Evelyn}", False),
    (r"\boxed{\text{(C)}}", r"\text{(C)}", True),
    (r"\boxed{\text{(C)}}", r"\text{(D)}", False),
    (r"\boxed{\text{even}}", r"\text{even}", True),
    (r"\boxed{\text{even}}", r"\text{odd}", False),
    (r"\boxed{\text{Monday}}", r"\text{Monday}", True),
    (r"\boxed{\text{Tuesday}}", r"\text{Monday}", False),
    (r"So the function is \boxed{\text{neither}}.", r"\text{neither}", True),
]

LONG_REASONING: list[Case] = [
    (
        "Let me think. The train covers 60 km in the first hour and 45 km in the second, so 105 km "
        "in 2 hours. Checking units: 105 / 2 = 52.5 km per hour.\n\nSo the average speed is "
        r"\boxed{52.5}.",
        "52.5",
        True,
    ),
    (
        "Let me think. The train covers 60 km in the first hour and 45 km in the second, so 105 km "
        "in 2 hours. Checking units: 105 / 2 = 52.5 km per hour.\n\nSo the average speed is "
        r"\boxed{52.5}.",
        "105",
        False,
    ),
    (
        "First, 3 + 4 = 7. Then 7 * 6 = 42. Wait, I should double the 6 first: 3 + 4 = 7 and "
        "7 * 12 = 84. Therefore the answer is 84.",
        "84",
        True,
    ),
    (
        "First, 3 + 4 = 7. Then 7 * 6 = 42. Wait, I should double the 6 first: 3 + 4 = 7 and "
        "7 * 12 = 84. Therefore the answer is 84.",
        "42",
        False,
    ),
    (
        "We need $x$ such that $2x + 3 = 11$. Subtracting 3 gives $2x = 8$, and dividing by 2 gives "
        "$x = 4$. Let me verify: $2 \\cdot 4 + 3 = 11$. Correct.\n\nThe final answer is $4$.",
        "4",
        True,
    ),
    (
        "We need $x$ such that $2x + 3 = 11$. Subtracting 3 gives $2x = 8$, and dividing by 2 gives "
        "$x = 4$. Let me verify: $2 \\cdot 4 + 3 = 11$. Correct.\n\nThe final answer is $4$.",
        "11",
        False,
    ),
    (
        "<think>The sum of the first 10 odd numbers is 10^2 = 100. Hmm, or is it 99? No: "
        "1 + 3 + ... + 19 = 100.</think>\nThe sum is \\boxed{100}.",
        "100",
        True,
    ),
    (
        "<think>The sum of the first 10 odd numbers is 10^2 = 100. Hmm, or is it 99? No: "
        "1 + 3 + ... + 19 = 100.</think>\nThe sum is \\boxed{100}.",
        "99",
        False,
    ),
    (
        "Step 1: the box holds 12 eggs.\nStep 2: 5 boxes hold 60 eggs.\nStep 3: 7 eggs broke, "
        "leaving 53.\n\nSo there are 53 eggs left.",
        "53",
        True,
    ),
    (
        "Step 1: the box holds 12 eggs.\nStep 2: 5 boxes hold 60 eggs.\nStep 3: 7 eggs broke, "
        "leaving 53.\n\nSo there are 53 eggs left.",
        "60",
        False,
    ),
    (
        "The probability of one head is $\\frac{1}{2}$, of two heads $\\frac{1}{4}$, and of three "
        "heads in a row $\\frac{1}{8}$.\n\nTherefore the probability is $\\frac{1}{8}$.",
        "\\frac18",
        True,
    ),
    (
        "The probability of one head is $\\frac{1}{2}$, of two heads $\\frac{1}{4}$, and of three "
        "heads in a row $\\frac{1}{8}$.\n\nTherefore the probability is $\\frac{1}{8}$.",
        "\\frac14",
        False,
    ),
    (
        "Using the quadratic formula, $x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}$ with $a=1$, $b=-5$, "
        "$c=6$: the discriminant is $1$, so the larger root is\n\\[ x = 3 \\]",
        "3",
        True,
    ),
    (
        "Using the quadratic formula, $x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}$ with $a=1$, $b=-5$, "
        "$c=6$: the discriminant is $1$, so the larger root is\n\\[ x = 3 \\]",
        "2",
        False,
    ),
    ("The perimeter is 2(3 + 5) = 16 units.\n" * 20 + "Final answer: \\boxed{16}", "16", True),
    ("The perimeter is 2(3 + 5) = 16 units.\n" * 20 + "Final answer: \\boxed{16}", "15", False),
]

INTERVALS: list[Case] = [
    (r"\boxed{[0, 1)}", "[0,1)", True),
    (r"\boxed{[0, 1)}", "[0,1]", False),
    (r"\boxed{(0, 1)}", "(0,1)", True),
    (r"\boxed{[0, 1]}", "(0,1)", False),
    (r"\boxed{(-\infty, 3]}", r"(-\infty,3]", True),
    (r"\boxed{(-\infty, 3)}", r"(-\infty,3]", False),
    (r"\boxed{x \in [2,5]}", "[2,5]", True),
    (r"\boxed{x \in [2,6]}", "[2,5]", False),
    (r"\boxed{(-\infty, -1) \cup (1, \infty)}", r"(-\infty,-1)\cup(1,\infty)", True),
    (r"\boxed{(-\infty, -1) \cup (1, \infty)}", r"(-1,1)", False),
    (r"The solution set is $[\frac{1}{2}, 4]$.", "[0.5, 4]", True),
    (r"The solution set is $[\frac{1}{2}, 4]$.", "[0.5, 5]", False),
    (r"\boxed{[-2, 7]}", "[-2,7]", True),
    (r"\boxed{\left[ \frac{\pi^2}{8}, \frac{5 \pi^2}{4} \right]}", r"[\frac{\pi^2}8,\frac{5\pi^2}4]", True),
]

EQUATIONS: list[Case] = [
    (r"\boxed{x = 5}", "5", True),
    (r"\boxed{x = 5}", "6", False),
    (r"\boxed{5}", "x=5", True),
    (r"\boxed{y = 3 + 2x}", "y=2x+3", True),
    (r"\boxed{y = 3 + 3x}", "y=2x+3", False),
    (r"\boxed{x^2 = 4}", "x=2", False),
    (r"\boxed{2x = 10}", "x=5", False),
    (r"The line is $y = -x + 4$.", "y=4-x", True),
    (r"The line is $y = -x + 4$.", "y=x+4", False),
    (r"$$x = 7$$", "7", True),
    (r"\(x = 7\)", "7", True),
    (r"\boxed{a = \frac{1}{2}}", "0.5", True),
    (r"\boxed{a = \frac{1}{2}}", "2", False),
    (r"\boxed{k = -3}", "-3", True),
]

UNITS: list[Case] = [
    (r"\boxed{5\text{ cm}}", "5", True),
    (r"\boxed{5\text{ cm}}", "6", False),
    (r"\boxed{90^\circ}", "90", True),
    (r"\boxed{90^\circ}", "45", False),
    (r"\boxed{\$18.90}", r"\$18.90", True),
    (r"\boxed{\$18.90}", r"\$19.90", False),
    ("It costs $18.90.", "18.90", True),
    (r"\boxed{12\text{ meters}}", "12", True),
    (r"\boxed{3\,\mathrm{kg}}", "3", True),
    (r"\boxed{3\,\mathrm{kg}}", "30", False),
    ("The area is 20 m².", "20", True),
    ("The price is 4,50 €.", "4.5", True),
    (r"\boxed{60\text{ mph}}", "60", True),
    (r"\boxed{100\text{ dollars}}", "100", True),
]

NO_ANSWER: list[Case] = [
    ("I am not sure how to solve this.", "4", False),
    ("", "4", False),
    (r"\boxed{}", "4", False),
    ("The answer is unknown.", "7", False),
    ("AXQ7BZ", "7", False),
    ("Let me think about it more.", "0", False),
]

ALL_CASES: dict[str, list[Case]] = {
    "boxed": BOXED,
    "display brackets": DISPLAY_BRACKETS,
    "inline parentheses": INLINE_PARENTHESES,
    "display dollars": DISPLAY_DOLLARS,
    "inline dollars": INLINE_DOLLARS,
    "answer sentences": ANSWER_SENTENCES,
    "percentages": PERCENTAGES,
    "thousands separators": THOUSANDS_SEPARATORS,
    "decimal commas": DECIMAL_COMMAS,
    "matrices": MATRICES,
    "tuples": TUPLES,
    "sets": SETS,
    "text answers": TEXT_ANSWERS,
    "long reasoning": LONG_REASONING,
    "intervals": INTERVALS,
    "equations": EQUATIONS,
    "units": UNITS,
    "no answer": NO_ANSWER,
}
