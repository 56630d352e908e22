// An outside check of the ontology: the OWL API's OWL 2 profile checkers and the HermiT reasoner
// (both from the HermiT jar that owlready2 ships), driven from tests/core/test_owl_profile.py.
//
//   java -cp HermiT.jar:DIR OwlCheck profiles FILE           violations of OWL 2 DL, RL, EL, QL
//   java -cp HermiT.jar:DIR OwlCheck consistency FILE...     HermiT on the union of the files
//
// Output is one line per finding, so the Python test can assert on it.

import java.io.File;

import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWL2ELProfile;
import org.semanticweb.owlapi.profiles.OWL2QLProfile;
import org.semanticweb.owlapi.profiles.OWL2RLProfile;
import org.semanticweb.owlapi.profiles.OWLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        if (args[0].equals("profiles")) {
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[1]));
            OWLProfile[] profiles = {new OWL2DLProfile(), new OWL2RLProfile(),
                                     new OWL2ELProfile(), new OWL2QLProfile()};
            String[] names = {"DL", "RL", "EL", "QL"};
            for (int i = 0; i < profiles.length; i++) {
                OWLProfileReport report = profiles[i].checkOntology(ontology);
                System.out.println("profile " + names[i] + " " + report.getViolations().size());
                for (OWLProfileViolation v : report.getViolations()) {
                    System.out.println("violation " + names[i] + " "
                                       + v.toString().replace('\n', ' '));
                }
            }
        } else if (args[0].equals("consistency")) {
            OWLOntology union = manager.createOntology();
            for (int i = 1; i < args.length; i++) {
                OWLOntologyManager own = OWLManager.createOWLOntologyManager();
                OWLOntology part = own.loadOntologyFromOntologyDocument(new File(args[i]));
                manager.addAxioms(union, part.getAxioms());
            }
            Reasoner reasoner = new Reasoner(union);
            System.out.println("axioms " + union.getAxiomCount());
            System.out.println("consistent " + reasoner.isConsistent());
        } else {
            throw new IllegalArgumentException("usage: OwlCheck profiles FILE | consistency FILE...");
        }
    }
}
