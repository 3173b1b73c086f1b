import CelerArray
import CelerCore
import Testing
import _CelerTestSupport

// The contracts of the shared test helpers that other suites rely on.

@Suite struct TestSupportTests {
    @Test func testRandomIsTheSplitMix64StreamInOrder() {
        for seed: UInt64 in [0, 1, 42, .max] {
            var rng = TestRandom(seed)
            let g = SplitMix64(seed: seed)
            for k in 0..<100 { #expect(rng.next() == g.bits(k)) }
            #expect(rng.position == 100)
            for k in 100..<200 { #expect(rng.double().bitPattern == g.uniform(k).bitPattern) }
        }
    }

    @Test func testRandomRangesAndArrays() {
        var rng = TestRandom(3)
        for _ in 0..<1000 {
            let i = rng.int(-2...5)
            #expect((-2...5).contains(i))
            let w = rng.wide()
            #expect(Swift.abs(w) < 0x1p20)
        }
        let a = rng.array([7, 9])
        #expect(a.shape == [7, 9])
        #expect(a.scalars.allSatisfy { $0 >= -10 && $0 < 10 && ($0 * 8).rounded() == $0 * 8 })
    }

    @Test func viewRecipesGiveTheAskedShapeAndReadTheBase() {
        var rng = TestRandom(11)
        for trial in 0..<200 {
            let shape = randomShape(&rng, ndim: 1 + trial % 3, maxDim: 5)
            let recipe = ViewRecipe(&rng, shape: shape)
            let base = rng.array(recipe.baseShape)
            let v = recipe.view(of: base)
            #expect(v.shape == (recipe.broadcastLead.map { [$0] } ?? []) + shape)
            #expect(v.sharesStorage(with: base))
            // The reference read by strides agrees with the view's own subscripts.
            for i in allIndices(v.shape) { #expect(broadcastElement(v, i) == v[element: i]) }
        }
    }

    @Test func aKnownRecipeSpelledInPython() {
        var rng = TestRandom(0)
        var recipe = ViewRecipe(&rng, shape: [2])
        recipe.indices = [.all, .step(-1)]
        recipe.transpose = true
        recipe.broadcastLead = 3
        #expect(recipe.python("a") == "np.broadcast_to(a[::1, ::-1].T, (3,) + a[::1, ::-1].T.shape)")
        #expect(pythonText([.index(2), .newAxis, .ellipsis, .s(1, -1)]) == "2, None, ..., 1:-1:1")
    }

    @Test func exactSumIsExactlyRounded() {
        #expect(exactSum([1e16, 1, -1e16]) == 1)
        #expect(exactSum([0.1, 0.2, 0.3]) == 0.6)          // math.fsum([0.1, 0.2, 0.3]) == 0.6
        #expect(exactSum([1, 1e100, 1, -1e100]) == 2)
        #expect(exactSum([]) == 0)
    }
}
