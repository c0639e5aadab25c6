/// The preset deflate dictionaries of a saved state's parts (``StreamState/SavedBlob/Part``): each part's JSON keys,
/// in the order the encoder sorts them, with the bundled configuration's values, so a stream's blob refers back to
/// them instead of spelling out its keys and configuration. They are part of the saved format (byte
/// ``StreamState/SavedBlob/deflatedWithDictionary``): zlib checks a dictionary by its Adler-32, so a changed
/// dictionary would leave every state saved with it unreadable. Never edit them; add a new marker and dictionaries.
enum SavedStateDictionaries {
    static let hidden = Array(
        #"""
        {"recurrent":{"hidden":"","lastObserved":true,"level":0,"levelMean":0,"pendingInput":0,"pendingLevel":0,\#
        "pendingMissing":false,"pendingSeasonal":0,"recent":"","scale":{"levelScale":0,"scale":0}}}
        """#.utf8)

    static let normaliser = Array(
        #"""
        {"context":{"capacity":262,"decimals":"","t":"","tRuns":"","value":""},"fallback":{"history":{"capacity":262,\#
        "elements":""},"maximumHorizon":12,"minimumResiduals":20,"period":1,"residualWindow":250},"group":"default",\#
        "lastSeen":0,"lastT":0,"lowestObserved":0,"presentSteps":0,"resampler":{"cadence":{"event":{}},"lastTime":0,\#
        "maximumGapSteps":256,"skippedGapSteps":0},"ruleIndex":0,"steps":0,"stepsSinceForecast":0}
        """#.utf8)

    static let calibrator = Array(
        #"""
        {"calibrator":{"configuration":{"method":{"adaptive":{"gamma":0.005}},"minimumCount":30,"scaleFloor":1e-09,\#
        "typicalWidthFloor":0.5,"typicalWidthSmoothing":0.01,"window":300},"coverage":{"capacity":300,"elements":""},\#
        "levels":[0.05,0.1,0.25,0.5,0.75,0.9,0.95],"shifts":"","typicalWidths":""},"drift":{"configuration":\#
        {"detector":{"allowance":0.5,"clip":6,"threshold":12,"warmup":500},"scaleFloor":1e-09,"windowLength":300},\#
        "detector":{"configuration":{"allowance":0.5,"clip":6,"threshold":12,"warmup":500},"level":{"lower":0,"m2":0,\#
        "mean":0,"upper":0},"seen":0,"spread":{"lower":0,"m2":0,"mean":0,"upper":0}},\#
        "levels":[0.05,0.1,0.25,0.5,0.75,0.9,0.95],"window":{"absoluteError":0,"alarms":[],"atOrBelow":[],"count":0,\#
        "crps":0,"end":0,"inside":[],"pit":[],"residual":0,"start":0}},"issued":[null,{"byteCodes":"","first":1,\#
        "keptMedian":true,"levels":7,"published":"","steps":12},{"byteCodes":"","first":
        """#.utf8)
}
