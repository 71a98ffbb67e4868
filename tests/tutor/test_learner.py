import math
import random
from types import MappingProxyType

import pytest

from tutor.learner import (
    DEFAULT_PARAMS,
    INITIAL_ABILITY,
    K_START,
    MASTERY_RATING,
    MASTERY_RUN,
    BKTParams,
    Evidence,
    LearnerState,
    SkillState,
    bkt_learn,
    bkt_posterior,
    choose_level,
    choose_next,
    difficulty_rating,
    elo_update,
    is_mastered,
    params_for,
    predicted_success,
    problem_weights,
    update,
)
from tutor.problems import SKILLS

SKILL = "algebra"  # no per-skill override: the default parameters apply
MASTERED = SkillState(p_mastery=0.99, ability=MASTERY_RATING + 100, attempts=20, solved_in_a_row=5)
RATING = difficulty_rating(2)
SOLVED, FAILED, SKIPPED = Evidence("problem_solved"), Evidence("problem_failed"), Evidence("problem_skipped")
GOOD_STEP, BAD_STEP = Evidence("step_correct"), Evidence("step_wrong")


def hint(level: int) -> Evidence:
    return Evidence("hint", hint_level=level)


def play(state: LearnerState, problem: list[Evidence], rating: float = RATING, skill: str = SKILL
         ) -> LearnerState:
    """One problem's evidence applied as the service applies it: each piece knowing what came before."""
    for i, e in enumerate(problem):
        state = update(state, skill, e, rating, earlier=problem[:i])
    return state


def after(*evidence: Evidence, rating: float = RATING) -> SkillState:
    return play(LearnerState(), list(evidence), rating).get(SKILL)


# Hand-computed with p_init 0.2, p_learn 0.15, p_guess 0.2, p_slip 0.1.
@pytest.mark.parametrize(
    ("observed_right", "weight", "expected"),
    [
        (True, 1.0, 0.18 / 0.34),  # 0.2*0.9 / (0.2*0.9 + 0.8*0.2)
        (False, 1.0, 0.02 / 0.66),  # 0.2*0.1 / (0.2*0.1 + 0.8*0.8)
        (False, 0.5, 0.2 * 0.1**0.5 / (0.2 * 0.1**0.5 + 0.8 * 0.8**0.5)),  # tempered: a level-2 hint
        (True, 0.0, 0.2),  # weight 0 changes nothing
    ],
)
def test_bkt_posterior_matches_hand_computation(observed_right, weight, expected):
    assert bkt_posterior(0.2, observed_right, DEFAULT_PARAMS, weight) == pytest.approx(expected)


def test_bkt_learning_transition():
    assert bkt_learn(0.18 / 0.34, DEFAULT_PARAMS) == pytest.approx(0.6)


def test_problem_solved_applies_posterior_learning_and_elo():
    skill = after(Evidence("problem_solved"))
    assert skill.p_mastery == pytest.approx(0.6)
    # Even odds (ability == rating), K_START on the first problem; no growth is assumed beyond the evidence.
    assert skill.ability == pytest.approx(INITIAL_ABILITY + K_START * 0.5)
    assert skill.attempts == 1


def test_steps_and_hints_do_not_count_as_finished_problems():
    skill = after(Evidence("step_correct"), Evidence("hint", hint_level=1), Evidence("step_wrong"))
    assert skill.attempts == 0


@pytest.mark.parametrize("kind", ["step_correct", "problem_solved"])
def test_right_answers_raise_mastery_and_ability(kind):
    skill = after(Evidence(kind))
    assert skill.p_mastery > DEFAULT_PARAMS.p_init
    assert skill.ability > INITIAL_ABILITY


WRONG = [Evidence("step_wrong"), Evidence("problem_failed"), Evidence("hint", 3)]


@pytest.mark.parametrize("evidence", WRONG)
def test_wrong_answers_and_hints_lower_mastery_and_ability(evidence):
    skill = after(evidence)
    assert skill.p_mastery < DEFAULT_PARAMS.p_init
    assert skill.ability < INITIAL_ABILITY


def test_hints_count_less_than_unaided_success_and_more_hints_count_less():
    unaided = after(Evidence("problem_solved"))
    helped = [after(Evidence("hint", level), Evidence("problem_solved")) for level in (1, 2, 3)]
    assert unaided.p_mastery > helped[0].p_mastery > helped[1].p_mastery > helped[2].p_mastery
    assert unaided.ability > helped[0].ability > helped[1].ability > helped[2].ability


def test_a_wrong_step_counts_more_than_a_right_one():
    assert after(Evidence("step_correct"), Evidence("step_wrong")).p_mastery < DEFAULT_PARAMS.p_init


def test_repeated_success_reaches_mastery_and_sustained_failure_loses_it():
    state = LearnerState()
    for level in (1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5):
        state = update(state, SKILL, SOLVED, difficulty_rating(level))
    assert is_mastered(state.get(SKILL))
    state = update(state, SKILL, FAILED, difficulty_rating(5))
    skill = state.get(SKILL)
    assert skill.p_mastery >= 0.95, "BKT forgives one slip after a long run of success..."
    assert not is_mastered(skill), "...but mastery waits for three unaided solves again"
    for _ in range(MASTERY_RUN):
        state = update(state, SKILL, SOLVED, difficulty_rating(5))
    assert is_mastered(state.get(SKILL))
    for _ in range(5):
        state = update(state, SKILL, FAILED, difficulty_rating(5))
    assert not is_mastered(state.get(SKILL))


def test_mastery_needs_confidence_ability_and_a_run_of_unaided_solves():
    assert is_mastered(MASTERED)
    high = MASTERY_RATING + 100
    low = MASTERY_RATING - 1
    assert not is_mastered(SkillState(p_mastery=0.99, ability=low, attempts=9, solved_in_a_row=9))
    assert not is_mastered(SkillState(p_mastery=0.9, ability=high, attempts=9, solved_in_a_row=9))
    assert not is_mastered(SkillState(p_mastery=0.99, ability=high, attempts=9, solved_in_a_row=2))
    assert MASTERY_RUN == 3


def test_only_unaided_solves_extend_the_run():
    state = LearnerState()
    problems = [([SOLVED], 1), ([GOOD_STEP, GOOD_STEP, SOLVED], 2), ([hint(1), SOLVED], 0), ([SOLVED], 1),
                ([BAD_STEP, GOOD_STEP, SOLVED], 0), ([SOLVED], 1), ([GOOD_STEP, FAILED], 0)]
    for problem, run in problems:
        state = play(state, problem)
        assert state.get(SKILL).solved_in_a_row == run, problem


def test_a_skip_ends_the_problem_and_breaks_the_run_but_shows_nothing_else():
    state = play(play(LearnerState(), [SOLVED]), [SOLVED])
    before = state.get(SKILL)
    skipped = play(state, [SKIPPED]).get(SKILL)
    assert skipped.solved_in_a_row == 0  # not solved: mastery waits for three unaided solves again
    assert (skipped.p_mastery, skipped.ability, skipped.attempts) == (before.p_mastery, before.ability, 2)
    assert problem_weights([SKIPPED]) == [0.0]
    assert SKIPPED.ends_problem and not SKIPPED.worked_to_the_end


def test_skipping_is_never_better_than_solving_and_never_worse_than_giving_up():
    start = play(LearnerState(), [SOLVED])
    outcomes = {e.kind: play(start, [BAD_STEP, e]).get(SKILL) for e in (SOLVED, SKIPPED, FAILED)}
    solved, skipped, failed = outcomes.values()
    assert solved.p_mastery > skipped.p_mastery > failed.p_mastery
    assert solved.ability > skipped.ability > failed.ability
    mid_problem = play(start, [BAD_STEP]).get(SKILL)  # the wrong step counted; the skip adds nothing
    assert skipped == SkillState(mid_problem.p_mastery, mid_problem.ability, attempts=1, solved_in_a_row=0)


def test_skipping_again_and_again_never_raises_mastery():
    state = LearnerState()
    for _ in range(10):
        state = play(state, [SKIPPED])
    assert state.get(SKILL) == SkillState(p_mastery=DEFAULT_PARAMS.p_init)


def test_nothing_follows_a_skip():
    with pytest.raises(ValueError, match="nothing can follow"):
        problem_weights([SKIPPED, GOOD_STEP])


@pytest.mark.parametrize("skill_id", sorted(SKILLS))
def test_two_clean_problems_never_make_bkt_confident_on_any_skill(skill_id):
    """Calibration: BKT alone agrees with the run of three, on every skill's own parameters."""
    state = LearnerState()
    for _ in range(2):
        state = play(state, [GOOD_STEP, GOOD_STEP, GOOD_STEP, GOOD_STEP, SOLVED], skill=skill_id)
    assert state.get(skill_id).p_mastery < 0.95


@pytest.mark.parametrize(
    ("problem", "weights"),
    [
        ([SOLVED], [1.0]),
        ([FAILED], [1.0]),
        ([GOOD_STEP] * 4 + [SOLVED], [0.25, 0.25, 0.0, 0.0, 0.5]),  # steps: at most half
        ([BAD_STEP, BAD_STEP, GOOD_STEP, SOLVED], [0.5, 0.0, 0.25, 0.75]),  # errors, successes: each up to 1
        ([BAD_STEP, FAILED], [0.5, 0.5]),
        ([hint(1), SOLVED], [0.25, 0.75]),  # help discounts the solve by what it gave away
        ([hint(3), GOOD_STEP, SOLVED], [0.75, 0.0625, 0.1875]),
        ([hint(1), hint(2), hint(3), SOLVED], [0.25, 0.5, 0.25, 0.0]),  # the whole ladder: no credit left
        ([hint(3), hint(3), hint(3), FAILED], [0.75, 0.25, 0.0, 0.0]),  # hint spam is capped like the rest
    ],
)
def test_evidence_of_one_problem_is_capped(problem, weights):
    assert problem_weights(problem) == pytest.approx(weights)
    right = sum(w for e, w in zip(problem, weights, strict=True) if e.observed_right)
    assert right <= 1.0 and sum(weights) - right <= 1.0


def test_a_long_problem_counts_as_one_problem():
    long, short = after(*[GOOD_STEP] * 12, SOLVED), after(SOLVED)
    assert long.p_mastery == pytest.approx(short.p_mastery)
    assert long.ability <= short.ability  # Elo in pieces gains a little less than in one go


def test_hint_spam_counts_no_more_than_one_wrong_problem():
    spammed = after(*[hint(3)] * 6)
    assert spammed.p_mastery == pytest.approx(bkt_posterior(DEFAULT_PARAMS.p_init, False, DEFAULT_PARAMS))


def test_nothing_follows_a_problems_outcome():
    with pytest.raises(ValueError, match="nothing can follow"):
        problem_weights([SOLVED, GOOD_STEP])


def test_update_returns_a_new_state_and_leaves_the_old_one_alone():
    before = LearnerState({"other": MASTERED})
    later = update(before, SKILL, Evidence("problem_solved"), RATING)
    assert SKILL not in before.skills and later.get("other") == MASTERED
    assert isinstance(later.skills, MappingProxyType)


def test_per_skill_overrides_set_the_prior_of_fresh_skills():
    assert params_for("fractions").p_init == 0.3
    assert LearnerState().get("fractions").p_mastery == 0.3
    assert params_for("never_heard_of") == DEFAULT_PARAMS


def test_elo_is_symmetric_and_zero_sum():
    assert predicted_success(1000, 1000) == 0.5
    assert predicted_success(1200, 1000) + predicted_success(1000, 1200) == pytest.approx(1.0)
    assert predicted_success(1400, 1000) == pytest.approx(10 / 11)
    ability, rating = elo_update(1100, 1000, 0.0, k=40)
    assert ability + rating == pytest.approx(2100)
    assert ability < 1100 < rating + 100


def test_elo_converges_to_the_true_ability():
    rng, true_ability, ability, estimates = random.Random(7), 1180.0, 800.0, []
    for i in range(3000):
        rating = difficulty_rating(1 + i % 5)
        score = float(rng.random() < predicted_success(true_ability, rating))
        ability, _ = elo_update(ability, rating, score, k=16)
        estimates.append(ability)
    assert sum(estimates[-1000:]) / 1000 == pytest.approx(true_ability, abs=30)


def test_difficulty_levels_get_harder():
    ratings = [difficulty_rating(level) for level in (1, 2, 3, 4, 5)]
    assert ratings == sorted(ratings) and len(set(ratings)) == 5


@pytest.mark.parametrize("ability", range(760, 1300, 7))
def test_chosen_level_hits_the_target_band(ability):
    level = choose_level(ability, target=0.7)
    assert 0.58 <= predicted_success(ability, difficulty_rating(level)) <= 0.8


def test_choose_next_respects_prerequisites():
    skills, needs = ["a", "b", "c"], {"b": ["a"], "c": ["b"]}
    rng = random.Random(0)
    assert {choose_next(LearnerState(), skills, needs, rng=rng)[0] for _ in range(20)} == {"a"}
    state = LearnerState({"a": MASTERED})
    assert {choose_next(state, skills, needs, rng=rng)[0] for _ in range(20)} == {"b"}


def test_choose_next_interleaves_ready_skills_and_reviews_when_all_are_mastered():
    rng = random.Random(0)
    assert {choose_next(LearnerState(), ["a", "b"], rng=rng)[0] for _ in range(30)} == {"a", "b"}
    done = LearnerState({"a": MASTERED, "b": MASTERED})
    assert choose_next(done, ["a", "b"], rng=rng) in {("a", 5), ("b", 5)}


def test_choose_next_is_deterministic_for_a_seeded_rng():
    state = LearnerState({"a": SkillState(p_mastery=0.5, ability=1000.0)})

    def picks(seed: int) -> list[tuple[str, int]]:
        rng = random.Random(seed)
        return [choose_next(state, ["a", "b", "c"], rng=rng) for _ in range(20)]

    assert picks(3) == picks(3)
    assert ("a", 2) in picks(3)  # ability 1000: level 2 (rating 850) is predicted at 0.70


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: Evidence("guess"), "unknown evidence kind"),
        (lambda: Evidence("hint"), "hint_level 1, 2 or 3"),
        (lambda: Evidence("hint", hint_level=4), "hint_level 1, 2 or 3"),
        (lambda: Evidence("step_wrong", hint_level=1), "only meaningful for hints"),
        (lambda: BKTParams(p_guess=0.6, p_slip=0.5), "must be below 1"),
        (lambda: BKTParams(p_init=1.5), "p_init"),
        (lambda: difficulty_rating(6), "1..5"),
        (lambda: choose_level(1000, target=1.0), "target"),
        (lambda: update(LearnerState(), "", Evidence("step_correct"), RATING), "skill_id"),
        (lambda: update(LearnerState(), SKILL, Evidence("step_correct"), math.nan), "problem_rating"),
        (lambda: elo_update(1000, 1000, 2.0, k=10), "score"),
        (lambda: SkillState(p_mastery=0.5, attempts=2, solved_in_a_row=3), "solved_in_a_row"),
        (lambda: choose_next(LearnerState(), [], rng=random.Random()), "non-empty"),
        (lambda: choose_next(LearnerState(), ["a", "a"], rng=random.Random()), "repeat"),
        (lambda: choose_next(LearnerState(), ["a"], {"a": ["z"]}, rng=random.Random()), "not in the skill"),
        (lambda: choose_next(LearnerState(), ["b", "a"], {"b": ["a"]}, rng=random.Random()), "come before"),
    ],
)
def test_bad_input_gets_a_clear_error(make, words):
    with pytest.raises(ValueError, match=words):
        make()
