"""Image analogies S : S' :: T : T' (Liao et al. 2017, simplified; text effects after Yang et al.
2017): patch correspondences T -> S in VGG feature space, coarse to fine, carry S' to T'."""
