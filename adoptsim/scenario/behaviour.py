"""Every coefficient of the adoption rules (docs/model.md), with its default and meaning.

Rates are per step (one week by default). Defaults come from MODEL.md's prototype, which gave
an S-shaped baseline (1 % active at week 26, 36 % at week 104) on 20,000 consumers.
"""

from __future__ import annotations

from pydantic import Field

from adoptsim.scenario.schema import Fraction, NonNegative, Positive, PositiveMoney, StrictModel


class Behaviour(StrictModel):
    """Coefficients of awareness, adoption, lapse, habit, trust and merchant rules."""

    # Awareness: 1 - (1 - p_media*m_i) * (1 - q_wom*w_i)**A_i
    p_media: Fraction = Field(0.004, description="Baseline chance per step of hearing of the wallet from media.")
    q_wom: Fraction = Field(
        0.015, description="Chance per step that one active neighbour makes an unaware consumer aware."
    )
    # Adoption: r_a * sigmoid(U_i)
    r_a: Fraction = Field(0.15, description="Largest adoption chance per step of an aware consumer.")
    b0: float = Field(-4.0, description="Intercept of adoption utility.")
    b_use: float = Field(2.0, description="Weight of usefulness u_i (merchant and online acceptance).")
    b_ease: float = Field(1.5, description="Weight of ease: tech_skill_i times product ease.")
    b_trust: float = Field(2.0, description="Weight of trust.")
    b_social: float = Field(3.0, description="Weight of the share of neighbours who are active.")
    b_habit: float = Field(2.5, description="Weight (against) of attachment to cash and cards.")
    b_comp: float = Field(1.0, description="Weight (against) of already using a rival wallet.")
    b_inc: float = Field(1.0, description="Weight of money incentives: b_inc (1 - rho income) ln(1 + x / money_scale).")
    rho: Fraction = Field(0.5, description="How much less money weighs for high income: factor (1 - rho*income).")
    money_scale: PositiveMoney = Field(
        20.0,
        description="Money (scenario currency) whose pull is b_inc ln 2 for income 0: the local price level "
        "of an incentive. 20 matches PayPal's early $20 rewards being strong but not decisive.",
    )
    # Lapse: r_l * sigmoid(l0 - l_wh*wallet_habit - l_trust*trust - l_use*u + l_habit*habit)
    r_l: Fraction = Field(0.04, description="Largest lapse chance per step of an active user.")
    l0: float = Field(-1.0, description="Intercept of lapse propensity.")
    l_wh: float = Field(3.0, description="Weight (against lapsing) of wallet habit.")
    l_trust: float = Field(1.0, description="Weight (against lapsing) of trust.")
    l_use: float = Field(1.0, description="Weight (against lapsing) of usefulness.")
    l_habit: float = Field(1.0, description="Weight (for lapsing) of attachment to cash and cards.")
    # Habit and trust dynamics
    eta: Fraction = Field(0.05, description="Wallet habit growth per step of use: wh += eta*(1 - wh).")
    kappa: Fraction = Field(0.01, description="Decay per step of use of the old habit: habit -= kappa*habit.")
    eps_exp: Fraction = Field(0.005, description="Trust gain per step of use: trust += eps_exp*(1 - trust).")
    trust_half_life: Positive = Field(
        26.0, description="Weeks for half of the trust lost to a breach to come back (everyone)."
    )
    trust_half_life_answered: Positive = Field(
        6.0, description="The same half-life for consumers a security campaign reached after the breach."
    )
    mu: Fraction = Field(
        0.0, description="Pull per step of trust towards the neighbours' mean (social proof); 0 = off."
    )
    tau: NonNegative = Field(3.0, description="Wallet payments per step of an active user with full usefulness.")
    # Merchants: r_m * sigmoid(g0 + g1*c_j)
    r_m: Fraction = Field(0.05, description="Largest chance per step that a merchant starts accepting the wallet.")
    g0: float = Field(-3.0, description="Intercept of merchant acceptance.")
    g1: float = Field(8.0, description="Weight of the share of a merchant's customers who are active users.")
    ease: NonNegative = Field(1.0, description="Product ease at the start (UX); ux_improvement raises it.")
