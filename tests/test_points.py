"""The 2-D point sets, their held-out split, and the Playground's input features."""

import re

import numpy as np
import pytest

from nncli.data import features, points, seeded_subset

# --- the point sets ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(points.SETS))
def test_every_set_is_seeded_balanced_and_typed(name):
    make = points.SETS[name]
    X, y = make(n=101, noise=0.1, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1  # shared as evenly as they can be
    again_X, again_y = make(n=101, noise=0.1, seed=3)
    np.testing.assert_array_equal(again_X, X)
    np.testing.assert_array_equal(again_y, y)
    assert not np.array_equal(make(n=101, noise=0.1, seed=4)[0], X)


def test_circle_is_a_disc_inside_a_ring():
    X, y = points.circle(n=500, noise=0.0, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius[y == 1].max() <= 2.5 and radius[y == 0].min() >= 3.5 and radius.max() <= 5.0
    # noise moves points across the gap, but only a little
    noisy_radius = np.hypot(*points.circle(n=500, noise=0.3, seed=0)[0].T)
    assert 0 < np.abs(noisy_radius - radius).max() < 2.0


def test_gauss_clusters_sit_on_their_centres_with_the_noise_as_spread():
    X, y = points.gauss(n=4000, noise=0.5, seed=1)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.05)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.05)
    np.testing.assert_allclose(X[y == 0].std(axis=0), [0.5, 0.5], atol=0.03)


@pytest.mark.parametrize("classes", [2, 3, 5, 10])
def test_spiral_arms_are_the_same_curve_turned(classes):
    X, y = points.spiral(n=40 * classes, noise=0.0, seed=0, classes=classes)
    assert sorted(np.unique(y)) == list(range(classes))
    first = X[y == 0]
    for k in range(1, classes):
        turn = 2 * np.pi * k / classes
        rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
        np.testing.assert_allclose(X[y == k], first @ rotation.T, atol=1e-12)
    radius = np.hypot(first[:, 0], first[:, 1])
    assert np.all(np.diff(radius) > 0) and radius[-1] == pytest.approx(5.0)  # winding outwards


def test_two_spiral_arms_point_opposite_ways():
    X, y = points.spiral(n=20, noise=0.0, classes=2)
    np.testing.assert_allclose(X[y == 1], -X[y == 0], atol=1e-12)


@pytest.mark.parametrize("classes", [1, 11])
def test_spiral_refuses_a_number_of_arms_out_of_range(classes):
    with pytest.raises(ValueError, match="2 to 10 arms"):
        points.spiral(n=100, classes=classes)


def test_moons_without_noise_are_scikit_learns_points():
    datasets = pytest.importorskip("sklearn.datasets")
    for n in (7, 100, 201):
        X, y = points.moons(n=n, noise=0.0)
        X_ref, y_ref = datasets.make_moons(n_samples=n, noise=None, shuffle=False)
        np.testing.assert_allclose(X, X_ref, atol=1e-12)
        np.testing.assert_array_equal(y, y_ref)


def test_moons_noise_is_gaussian_jitter_of_that_spread():
    clean, _ = points.moons(n=5000, noise=0.0)
    noisy, _ = points.moons(n=5000, noise=0.2, seed=5)
    assert (noisy - clean).std() == pytest.approx(0.2, rel=0.03)
    assert abs((noisy - clean).mean()) < 0.01


def test_too_few_points_for_the_classes():
    with pytest.raises(ValueError, match="cannot hold 3 classes"):
        points.spiral(n=2, classes=3)


# --- split and subset --------------------------------------------------------------------


def test_split_is_stratified_seeded_and_disjoint():
    _, y = points.spiral(n=300, classes=3)
    train, test = points.split(y, 0.3, seed=2)
    assert len(test) == 90 and len(train) == 210
    assert set(train).isdisjoint(test) and sorted([*train, *test]) == list(range(300))
    np.testing.assert_array_equal(np.bincount(y[test]), [30, 30, 30])
    again = points.split(y, 0.3, seed=2)
    np.testing.assert_array_equal(again[1], test)
    assert not np.array_equal(points.split(y, 0.3, seed=3)[1], test)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_split_refuses_a_fraction_outside_zero_to_one(fraction):
    with pytest.raises(ValueError, match="between 0 and 1"):
        points.split(np.array([0, 1, 0, 1]), fraction)


def test_seeded_subset_keeps_order_and_is_seeded():
    indices = np.arange(100, 200)
    subset = seeded_subset(indices, 10, seed=1)
    assert len(subset) == 10 and np.all(np.diff(subset) > 0) and set(subset) <= set(indices)
    np.testing.assert_array_equal(seeded_subset(indices, 10, seed=1), subset)
    assert not np.array_equal(seeded_subset(indices, 10, seed=2), subset)
    np.testing.assert_array_equal(seeded_subset(indices, 500), indices)
    np.testing.assert_array_equal(seeded_subset(indices, None), indices)
    with pytest.raises(ValueError):
        seeded_subset(indices, 0)


# --- features ----------------------------------------------------------------------------


def test_every_feature_by_its_formula():
    X = np.array([[0.5, -2.0], [3.0, 1.0]])
    F = features.expand(X, tuple(features.FEATURES))
    x1, x2 = X[:, 0], X[:, 1]
    expected = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)])
    np.testing.assert_array_equal(F, expected)
    np.testing.assert_array_equal(features.expand(X, ("x2^2",)), (x2**2)[:, None])


def test_parse_features_in_canonical_order_whatever_the_spelling():
    assert features.parse_features("x1,x2") == features.DEFAULT
    assert features.parse_features(" X2^2 , x1**2 ") == ("x1^2", "x2^2")
    assert features.parse_features("sin( x1 ),x2*x1,x1²") == ("x1^2", "x1*x2", "sin(x1)")


@pytest.mark.parametrize(
    "text, message",
    [
        ("x1,x3", "unknown feature 'x3'; choose from x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)"),
        ("cos(x1)", "unknown feature 'cos(x1)'"),
        ("x1,X1", "'x1' is listed twice"),
        ("", "no features given"),
        (" , ", "no features given"),
    ],
)
def test_parse_features_refuses_what_it_cannot_compute(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        features.parse_features(text)


def test_check_features_accepts_only_a_canonical_list():
    assert features.check_features(["x1^2", "x2^2"]) == ("x1^2", "x2^2")
    for bad in (["x2", "x1"], ["x1", "x1"], "x1", [1, 2], ["rm -rf"], []):
        with pytest.raises(ValueError):
            features.check_features(bad)


def test_expand_wants_points():
    with pytest.raises(ValueError, match="points"):
        features.expand(np.zeros((3, 3)), ("x1",))


def test_a_model_files_settings_for_points_and_tables_are_checked():
    from nncli.config import RunConfig

    config = RunConfig.from_dict({"features": "x1^2,x2^2", "classes": 3, "test_fraction": 0.3, "kind": "regress"})
    assert config.features == "x1^2,x2^2" and config.classes == 3
    for bad in (
        {"features": "x1,os.system"},
        {"features": "x2,x1"},
        {"features": ["x1"]},
        {"classes": 11},
        {"classes": 1},
        {"test_fraction": 1.0},
        {"test_fraction": 0},
        {"kind": "cluster"},
        {"drop_missing": "yes"},
    ):
        with pytest.raises(ValueError):
            RunConfig.from_dict(bad)


def test_the_feature_names_the_command_line_reads_are_the_features_computed():
    from nncli.feature_names import NAMES

    assert tuple(features.FEATURES) == NAMES
